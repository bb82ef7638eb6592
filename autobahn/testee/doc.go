// Package testee is this module's side of an Autobahn|Testsuite run: an
// echo server built with package server, for a fuzzing client to test, and
// an echo client built with package conn, which drives a fuzzing server
// through its cases the way the original suite's testee client does. Both
// negotiate permessage-deflate, so the compression cases run too.
//
// They work against this module's own runner and against the original
// wstest alike.
package testee
