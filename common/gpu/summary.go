package gpu

import (
	"fmt"
	"strings"
)

// unknownModel names a GPU whose name NVML would not give.
const unknownModel = "unknown NVIDIA GPU"

// Summary describes the GPUs in one line for the session row: the model
// ("NVIDIA H100 80GB HBM3"), a count when there are several of it ("8x
// NVIDIA H100 80GB HBM3"), or each model in device order when they are
// mixed ("2x NVIDIA H100 80GB HBM3, NVIDIA A100-SXM4-40GB"). The model is
// empty when there are no GPUs.
func (i Info) Summary() (model, driver string) {
	var order []string
	count := map[string]int{}
	for _, d := range i.Devices {
		name := d.Name
		if name == "" {
			name = unknownModel
		}
		if count[name] == 0 {
			order = append(order, name)
		}
		count[name]++
	}
	parts := make([]string, len(order))
	for k, name := range order {
		parts[k] = name
		if n := count[name]; n > 1 {
			parts[k] = fmt.Sprintf("%dx %s", n, name)
		}
	}
	return strings.Join(parts, ", "), i.DriverVersion
}
