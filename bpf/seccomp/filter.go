package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// NrUretprobe is the x86-64 number of the uretprobe system call.
const NrUretprobe = 335

// Seccomp return actions, by precedence (lower signed value wins).
const (
	actionKillProcess = 0x80000000
	actionLog         = 0x7ffc0000
	actionAllow       = 0x7fff0000
)

var (
	errDivZero     = errors.New("division by zero")
	errUnsupported = errors.New("filter uses an instruction seccomp does not allow")
	errUncertain   = errors.New("filter looks at the instruction pointer or arguments")
)

// seccompData is struct seccomp_data for the uretprobe call: x86-64, no
// arguments that mean anything.
func seccompData(nr uint32) [64]byte {
	var d [64]byte
	binary.LittleEndian.PutUint32(d[0:], nr)
	binary.LittleEndian.PutUint32(d[4:], unix.AUDIT_ARCH_X86_64)
	return d
}

// Evaluate runs one classic-BPF seccomp filter on the uretprobe call and
// returns its full return value. A filter whose answer depends on the
// instruction pointer or the arguments is uncertain: the call is made from
// a kernel trampoline with whatever the registers hold.
func Evaluate(prog []unix.SockFilter, nr uint32) (uint32, error) {
	data := seccompData(nr)
	var a, x uint32
	var mem [16]uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		k := in.K
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			if k >= 8 {
				return 0, errUncertain
			}
			if k%4 != 0 {
				return 0, errUnsupported
			}
			a = binary.LittleEndian.Uint32(data[k:])
		case unix.BPF_LD | unix.BPF_W | unix.BPF_LEN:
			a = uint32(len(data))
		case unix.BPF_LDX | unix.BPF_W | unix.BPF_LEN:
			x = uint32(len(data))
		case unix.BPF_LD | unix.BPF_IMM:
			a = k
		case unix.BPF_LDX | unix.BPF_IMM:
			x = k
		case unix.BPF_LD | unix.BPF_MEM, unix.BPF_LDX | unix.BPF_MEM, unix.BPF_ST, unix.BPF_STX:
			if k >= uint32(len(mem)) {
				return 0, errUnsupported
			}
			switch in.Code {
			case unix.BPF_LD | unix.BPF_MEM:
				a = mem[k]
			case unix.BPF_LDX | unix.BPF_MEM:
				x = mem[k]
			case unix.BPF_ST:
				mem[k] = a
			default:
				mem[k] = x
			}
		case unix.BPF_MISC | unix.BPF_TAX:
			x = a
		case unix.BPF_MISC | unix.BPF_TXA:
			a = x
		case unix.BPF_RET | unix.BPF_K:
			return k, nil
		case unix.BPF_RET | unix.BPF_A:
			return a, nil
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(k)
		default:
			switch in.Code & 0x07 {
			case unix.BPF_ALU:
				var err error
				a, err = alu(in.Code, a, operand(in, x))
				if errors.Is(err, errDivZero) {
					return 0, nil // the kernel ends the filter with 0: kill the thread
				}
				if err != nil {
					return 0, err
				}
			case unix.BPF_JMP:
				taken, err := jump(in.Code, a, operand(in, x))
				if err != nil {
					return 0, err
				}
				if taken {
					pc += int(in.Jt)
				} else {
					pc += int(in.Jf)
				}
			default:
				return 0, fmt.Errorf("opcode %#x: %w", in.Code, errUnsupported)
			}
		}
	}
	return 0, fmt.Errorf("filter ends without a return: %w", errUnsupported)
}

func operand(in unix.SockFilter, x uint32) uint32 {
	if in.Code&unix.BPF_X != 0 {
		return x
	}
	return in.K
}

func alu(code uint16, a, v uint32) (uint32, error) {
	switch code & 0xf0 {
	case unix.BPF_ADD:
		return a + v, nil
	case unix.BPF_SUB:
		return a - v, nil
	case unix.BPF_MUL:
		return a * v, nil
	case unix.BPF_DIV:
		if v == 0 {
			return 0, errDivZero
		}
		return a / v, nil
	case unix.BPF_MOD:
		if v == 0 {
			return 0, errDivZero
		}
		return a % v, nil
	case unix.BPF_OR:
		return a | v, nil
	case unix.BPF_AND:
		return a & v, nil
	case unix.BPF_XOR:
		return a ^ v, nil
	case unix.BPF_LSH:
		return a << (v & 31), nil
	case unix.BPF_RSH:
		return a >> (v & 31), nil
	case unix.BPF_NEG:
		return -a, nil
	}
	return 0, fmt.Errorf("alu opcode %#x: %w", code, errUnsupported)
}

func jump(code uint16, a, v uint32) (bool, error) {
	switch code & 0xf0 {
	case unix.BPF_JEQ:
		return a == v, nil
	case unix.BPF_JGT:
		return a > v, nil
	case unix.BPF_JGE:
		return a >= v, nil
	case unix.BPF_JSET:
		return a&v != 0, nil
	}
	return false, fmt.Errorf("jump opcode %#x: %w", code, errUnsupported)
}

// combine folds filter results the way the kernel does: the action with
// the highest precedence (lowest as a signed number) wins.
func combine(results []uint32) uint32 {
	out := uint32(actionAllow)
	for _, r := range results {
		if int32(r&unix.SECCOMP_RET_ACTION_FULL) < int32(out&unix.SECCOMP_RET_ACTION_FULL) {
			out = r
		}
	}
	return out
}

// allows says whether an action lets the call run.
func allows(ret uint32) bool {
	act := ret & unix.SECCOMP_RET_ACTION_FULL
	return act == actionAllow || act == actionLog
}

func actionName(ret uint32) string {
	switch ret & unix.SECCOMP_RET_ACTION_FULL {
	case actionKillProcess:
		return "kill the process"
	case 0:
		return "kill the thread"
	case 0x00030000:
		return "trap"
	case 0x00050000:
		return fmt.Sprintf("fail with errno %d", ret&0xffff)
	case 0x7fc00000:
		return "notify a supervisor"
	case 0x7ff00000:
		return "hand to a tracer"
	case actionLog:
		return "log and allow"
	case actionAllow:
		return "allow"
	}
	return fmt.Sprintf("action %#x", ret)
}
