// Command peers runs the same WebSocket echo workloads against this module
// and against the best-known Go WebSocket libraries, side by side, and prints
// one table: rows are measurements, columns libraries, followed by the best
// peer of each row and this module's ratio to it.
//
// Run it from this directory:
//
//	go run .              # the full run, a few minutes
//	go run . -quick       # a smoke run of about a minute
//	go run . -only conn,gws -phases echo
//	go run . -profiles DIR  # CPU profiles of the servers, heap profiles with idle connections open
//
// # Servers
//
// Each library's echo server runs in a process of its own, started by
// re-executing this program with -serve. Every server echoes each data
// message back with its type, in that library's fastest idiomatic form,
// compression off:
//
//   - server: this module's server package, Require with a Wait/Send loop
//     that releases each message once sent (Message.Release).
//   - conn: this module's conn.Accept under net/http, NextReader read into a
//     reused buffer, WriteMessage.
//   - conn-stream (only with -only): conn.Accept, NextReader and NextWriter
//     joined by io.Copy, so that no message is held whole.
//   - conn-raw: the same echo loop as conn's after conn.AcceptConn on a raw
//     net.Conn (no net/http); measured for upgrades and idle memory only,
//     since its message path is conn's.
//   - gorilla: gorilla/websocket, NextReader and NextWriter joined by io.Copy.
//   - gws: lxzan/gws, Upgrader under net/http, the event handler writing
//     each message back, ParallelEnabled off.
//   - gobwas: gobwas/ws on a raw net.Conn (ws.Upgrade), a loop of
//     ws.ReadHeader and ws.WriteHeader over buffered I/O.
//   - coder: coder/websocket, Reader and Writer joined by io.Copy.
//   - floor-http and floor-raw: no library at all; they answer the upgrade
//     request with a fixed 101 response and wait for the connection to end,
//     through net/http (Hijack) and on a raw net.Conn: the cost of a
//     connection in Go before any library code runs. They are no peers.
//
// Started by the load client (-control), a server process answers
// commands on its standard input: "stats" prints its counters as a JSON
// line, "gc" first collects garbage and returns free memory to the
// system, "heap" writes a heap profile, and the end of input stops it.
// Started by hand it serves until interrupted, as autobahn.sh uses it:
//
//	go run . -serve gorilla -addr 127.0.0.1:9001 [-conformance]
//
// # The load client
//
// One client drives every server in turn over loopback. It is written on
// net.Conn by hand so that it costs little and is the same for all: a fixed
// handshake, client frames masked once when a cell starts (every frame of a
// run carries the same mask key, which a server cannot tell from a fresh
// one), a reader and a writer goroutine per connection that keep a fixed
// number of messages in flight, and a check of every echo's type and length
// and of the content of the first echo of each connection and of every 64th.
// It ends its connections with a reset (SO_LINGER 0), so that hundreds of
// thousands of upgrades leave no TIME_WAIT behind to exhaust loopback
// ports. Go raises the limit of open files to its hard limit at start;
// where fewer than 10,000 connections fit in it, idle memory is measured
// with as many as fit, and the run says so.
//
// # Measurements
//
// Echo cells run at 16 B, 1 KiB, 64 KiB and 1 MiB, with 1 and 64
// connections and 1 and 16 messages in flight per connection. Once every
// connection has had an echo (buffers have grown) and a warm-up has passed,
// the client counts the echoes of a window. At both ends of the window the
// server reports, at one instant that it timestamps: its CPU time
// (getrusage, the utime+stime of /proc/PID/stat at microsecond
// resolution), its read and write system calls (syscr+syscw of
// /proc/PID/io), and its runtime.MemStats allocation counters, less the
// reports' own allocations. The client interpolates its count of echoes
// to those instants. Peak RSS is VmHWM of /proc/PID/status, reset through
// /proc/PID/clear_refs before each cell. CPU, allocations and system calls
// per message are given per size over the four cells of that size.
//
// Upgrades are counted the same way with 16 clients that connect, finish
// the opening handshake and reset the connection, over and over; the
// allocations per upgrade are those of the server's whole connection:
// accepting it, the handshake, and ending it. Idle memory is the growth of
// the server's RSS (VmRSS) and Go heap and stacks (HeapInuse, StackInuse)
// while 10,000 upgraded connections stay open, each after a collection
// that returns free memory to the system.
//
// Each measurement is repeated (-reps) with the libraries taken in turn each
// time, and the median is printed. With -pin split (the default) the server
// runs on CPU 1 and the client on CPU 0, each process with GOMAXPROCS 1;
// -pin same puts both on CPU 0; -pin off leaves scheduling to the system.
package main
