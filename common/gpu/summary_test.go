package gpu

import "testing"

func TestSummary(t *testing.T) {
	h100, a100 := Device{Name: "NVIDIA H100 80GB HBM3"}, Device{Name: "NVIDIA A100-SXM4-40GB"}
	for _, tc := range []struct {
		devices []Device
		want    string
	}{
		{nil, ""},
		{[]Device{h100}, "NVIDIA H100 80GB HBM3"},
		{[]Device{h100, h100}, "2x NVIDIA H100 80GB HBM3"},
		{[]Device{a100, h100, a100}, "2x NVIDIA A100-SXM4-40GB, NVIDIA H100 80GB HBM3"},
		{[]Device{{}}, unknownModel},
	} {
		model, driver := Info{DriverVersion: "580.65.06", Devices: tc.devices}.Summary()
		if model != tc.want || driver != "580.65.06" {
			t.Errorf("Summary of %v = %q, %q; want %q, 580.65.06", tc.devices, model, driver, tc.want)
		}
	}
}

func TestFormatCUDAVersion(t *testing.T) {
	for v, want := range map[int]string{13000: "13.0", 12040: "12.4", 12090: "12.9", 11080: "11.8"} {
		if got := formatCUDAVersion(v); got != want {
			t.Errorf("formatCUDAVersion(%d) = %q, want %q", v, got, want)
		}
	}
}
