"""The core benchmark's PyTorch side: the same trainings as bench/core.ts, one thread, steps per CPU-second.

Run by bench/core.ts when Debian's python3-torch is installed; prints one JSON object per case on stdout.
Input (argv[1]): JSON list of {"name", "sizes", "activation", "batch", "seconds"}.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(2)

ACTIVATIONS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}
BATCHES = 16  # distinct random batches cycled through, as in bench/core.ts


def build(sizes, activation):
    layers = []
    for i in range(len(sizes) - 1):
        linear = torch.nn.Linear(sizes[i], sizes[i + 1])
        if activation == "relu":
            torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        else:
            torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i + 2 < len(sizes):
            layers.append(ACTIVATIONS[activation]())
    return torch.nn.Sequential(*layers)


def measure(case):
    sizes, batch = case["sizes"], case["batch"]
    model = build(sizes, case["activation"])
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs = [torch.randn(batch, sizes[0]) for _ in range(BATCHES)]
    labels = [torch.randint(0, sizes[-1], (batch,)) for _ in range(BATCHES)]

    def run_for(seconds):
        steps = 0
        cpu0, wall0 = time.process_time(), time.perf_counter()
        while time.perf_counter() - wall0 < seconds:
            for k in range(4):
                i = (steps + k) % BATCHES
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(inputs[i]), labels[i])
                loss.backward()
                opt.step()
            steps += 4
        return steps, time.perf_counter() - wall0, time.process_time() - cpu0

    run_for(0.5)
    steps, wall, cpu = run_for(case["seconds"])
    return {"name": case["name"], "steps": steps, "stepsPerSecond": steps / wall, "stepsPerCpuSecond": steps / cpu}


def blas_library():
    """The BLAS shared library this process loaded (Debian picks it through update-alternatives)."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    return ", ".join(sorted(libs)) or "none found"


if sys.argv[1] == "--blas":
    print(blas_library())
else:
    for case in json.loads(sys.argv[1]):
        print(json.dumps(measure(case)), flush=True)
