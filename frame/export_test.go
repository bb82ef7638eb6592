package frame

// maskGeneric is Mask with the portable loop in place of the vector code,
// so that the tests check the portable path on every architecture.
func maskGeneric(key MaskKey, pos int, b []byte) int {
	k := keyWord(key, pos)
	maskWords(k, b[maskBlocks(k, b):])
	return (pos + len(b)) & 3
}
