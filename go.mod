module github.com/rfc6455/ws

go 1.23

require github.com/google/go-cmp v0.7.0
