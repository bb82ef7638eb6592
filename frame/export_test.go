package frame

// maskGeneric is Mask with the portable loop for every length, so that the
// tests check the portable code on every architecture.
func maskGeneric(key MaskKey, pos int, b []byte) int {
	maskPortable(keyWord(key, pos), b)
	return (pos + len(b)) & 3
}
