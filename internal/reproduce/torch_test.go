package reproduce

import (
	"testing"

	"lockstep.dev/lockstep/internal/engine"
)

// torchFlow trains a small network on CPU, seeded from LOCKSTEP_SEED, and
// writes its weights as raw little-endian floats (never torch.save).
const torchFlow = `flow: torchy
seed: 11
sandbox: none
steps:
  train:
    run: /usr/bin/python3 train.py
    outputs:
      weights: weights.bin
`

const torchScript = `import os, json, torch
torch.manual_seed(int(os.environ["LOCKSTEP_SEED"]))
torch.set_num_threads(1)
x = torch.randn(64, 4)
y = (x.sum(dim=1, keepdim=True) > 0).float()
net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for _ in range(20):
    opt.zero_grad()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x), y)
    loss.backward()
    opt.step()
with open(os.path.join(os.environ["LOCKSTEP_OUTPUT_DIR"], "weights.bin"), "wb") as f:
    for p in net.parameters():
        f.write(p.detach().numpy().astype("<f4").tobytes())
json.dump({"loss": float(loss)}, open(os.environ["LOCKSTEP_METRICS"], "w"))
`

func TestTorchTrainingReproducesBitIdentically(t *testing.T) {
	t.Parallel()
	needPython(t, "torch", "numpy")
	p := newProject(t, map[string]string{"lockstep.yaml": torchFlow, "train.py": torchScript})
	orig := p.run(engine.Options{})
	rep := p.reproduce(orig, Options{}).Report
	if rep.Verdict != Reproduced {
		t.Fatalf("verdict %q, want reproduced\n%s", rep.Verdict, explained(rep))
	}
	w := task(t, rep, "train").Outputs[0]
	if w.Name != "weights" || w.Original != w.Rerun || w.OriginalSize != (4*8+8+8+1)*4 {
		t.Errorf("weights: %+v, want identical digests and %d bytes", w, (4*8+8+8+1)*4)
	}
}
