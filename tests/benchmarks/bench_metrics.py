"""Throughput of the metric networks and the prepared-store loader, next to the machine's matmul peak.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 \
        python tests/benchmarks/bench_metrics.py [--data ../shared/data]

Goals on the 2-core development CPU: FID features >= 7 img/s, loader >= 5,000 img/s.
"""
import argparse, os, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from common import header, throughput
from torch.utils.flop_counter import FlopCounterMode
from selfsr import metrics
from selfsr.data import prepare

p = argparse.ArgumentParser()
p.add_argument('--data', default=os.environ.get('SELFSR_DATA', str(Path(__file__).resolve().parents[3] / 'shared' / 'data')))
p.add_argument('--batch', type=int, default=25)
args = p.parse_args()

fp32, _ = header('metrics and loader')
torch.manual_seed(0)
x = torch.rand(args.batch, 3, 128, 128)

net = metrics._fid_model('cpu')
ips = throughput(lambda: metrics.fid_features(x, batch_size=args.batch), args.batch)
with torch.no_grad(), FlopCounterMode(display=False) as fc: net(x[:1])
flops = fc.get_total_flops()  # per image, counted by torch (2 per multiply-add)
print(f'FID features (InceptionV3, 128->299, fp32, channels_last): {ips:6.1f} img/s  '
      f'x {flops / 1e9:.1f} GFLOP = {ips * flops / 1e9:.0f} GFLOP/s ({100 * ips * flops / 1e9 / fp32:.0f}% of the fp32 matmul figure)')

y = torch.rand_like(x)
ips = throughput(lambda: metrics.lpips_alex(x, y), args.batch)
print(f'LPIPS (AlexNet, 128x128 pairs):                             {ips:6.1f} pairs/s')

t = time.perf_counter()
store = prepare('celeba', 'train', args.data, progress=False)
print(f'prepared store {store!r}: opened/built in {time.perf_counter() - t:.1f} s')
for bs in (16, 64):
    n = 0
    t = time.perf_counter()
    for hr, lr in store.batches(bs, seed=0):
        n += len(hr)
        if n >= 10_000: break
    print(f'loader, batch {bs:3d}, 128x128 HR + 16x16 LR pairs, random flips: {n / (time.perf_counter() - t):8.0f} img/s')
