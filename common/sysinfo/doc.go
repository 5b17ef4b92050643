// Package sysinfo samples the host from /proc once a second for trace's
// system snapshots, filters them with --deadband/--heartbeat, and describes
// the host for the session row. Every reader takes a root directory so
// tests can hand it a fake /proc.
package sysinfo
