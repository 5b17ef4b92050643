// Package tui is the live view of `ingero trace`, kept as pure functions
// of a Model so that it can be tested byte for byte: Stats turns the event
// stream into a Model once per refresh, RenderTTY draws it for a terminal
// and RenderPlain prints it as grep-friendly lines when stdout is not one.
package tui
