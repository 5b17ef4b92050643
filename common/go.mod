module ingero.dev/common

go 1.26

require github.com/peterbourgon/ff/v3 v3.4.0

require github.com/klauspost/compress v1.20.4
