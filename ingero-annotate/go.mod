module ingero.dev/ingero-annotate

go 1.26.0

require (
	github.com/peterbourgon/ff/v3 v3.4.0
	ingero.dev/common v0.0.0
)

replace ingero.dev/common => ../common
