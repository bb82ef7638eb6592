// Package bench holds the benchmarks of this module: allocation counts and
// throughput of the frame codec, masking, UTF-8 validation and, as the
// layers above land, whole connections. It has no code of its own; run it
// with
//
//	go test -run '^$' -bench . -benchmem ./bench
//
// Sub-benchmarks that measure the same work two ways carry an impl=
// component in their name, so that benchstat -col /impl sets them side by
// side.
package bench
