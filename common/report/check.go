package report

// CheckResult is one entry of check --json, a JSON list of them: one per
// readiness check.
type CheckResult struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`    // false only for a failed check
	Level string `json:"level"` // "pass", "warn" or "fail"
	// Detail is what was found, with any further context after "; ".
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"` // what to do, when not passing
}
