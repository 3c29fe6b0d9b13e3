#!/usr/bin/env python3
"""The same U-Net as CellSeg.Models (milesial/Pytorch-UNet's parts) in PyTorch, timed like the C# bench.

Run with Debian's python3-torch: /usr/bin/python3 bench/pytorch/unet_bench.py [--base 16] [--threads 2]
  --count      print parameter counts of the paper-sized networks and exit
Prints one JSON object: step and inference times, images/s, peak RSS.
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    def __init__(self, cin, cout, mid=None):
        super().__init__()
        mid = mid or cout
        self.block = nn.Sequential(
            nn.Conv2d(cin, mid, 3, padding=1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.block(x)


class Up(nn.Module):
    def __init__(self, below, skip, cout, bilinear):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = DoubleConv(below + skip, cout, (below + skip) // 2)
        else:
            self.up = nn.ConvTranspose2d(below, skip, 2, stride=2)
            self.conv = DoubleConv(2 * skip, cout)

    def forward(self, x, skip):
        x = self.up(x)
        dy, dx = skip.shape[2] - x.shape[2], skip.shape[3] - x.shape[3]
        x = F.pad(x, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([skip, x], 1))


class UNet(nn.Module):
    def __init__(self, depth=4, base=64, bilinear=False, cin=1, classes=1, extra=()):
        super().__init__()
        c = [base << i for i in range(depth + 1)] + [m * base for m in extra]
        levels = len(c) - 1
        self.inc = DoubleConv(cin, c[0])
        self.downs = nn.ModuleList(
            nn.Sequential(nn.MaxPool2d(2), DoubleConv(c[i - 1], c[i - 1] if bilinear and i == levels else c[i]))
            for i in range(1, levels + 1))
        self.ups = nn.ModuleList(
            Up(c[i - 1] if bilinear else c[i], c[i - 1], c[i - 2] if bilinear and i >= 2 else c[i - 1], bilinear)
            for i in range(levels, 0, -1))
        self.outc = nn.Conv2d(c[0], classes, 1)

    def forward(self, x):
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = skips[-1]
        for j, up in enumerate(self.ups):
            x = up(x, skips[-2 - j])
        return self.outc(x)


def loss_fn(logits, target):
    bce = F.binary_cross_entropy_with_logits(logits, target)
    p = torch.sigmoid(logits)
    dice = (2 * (p * target).sum() + 1e-6) / (p.sum() + target.sum() + 1e-6)
    return bce + (1 - dice)


def count(model):
    return sum(p.numel() for p in model.parameters())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--infer", type=int, default=5)
    ap.add_argument("--count", action="store_true")
    args = ap.parse_args()

    if args.count:
        print(json.dumps({
            "unet_3in_2cls_transposed": count(UNet(cin=3, classes=2)),
            "unet_3in_2cls_bilinear": count(UNet(cin=3, classes=2, bilinear=True)),
            "unet_1in_1cls_transposed": count(UNet()),
            "deep_unet": count(UNet(extra=(16,))),
            "deep_unet_ensemble_member": count(UNet(extra=(16, 32))),
        }))
        return

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = UNet(depth=args.depth, base=args.base)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-5, weight_decay=1e-8, momentum=0.9)
    x = torch.randn(args.batch, 1, args.crop, args.crop)
    y = (torch.rand(args.batch, 1, args.crop, args.crop) > 0.7).float()
    model.train()
    times = []
    for i in range(args.warmup + args.steps):
        t = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if i >= args.warmup:
            times.append(time.perf_counter() - t)
    step = sorted(times)[len(times) // 2]

    model.eval()
    image = torch.randn(1, 1, 528, 704)  # 520 rows padded to a multiple of 16
    inf = []
    with torch.no_grad():
        for i in range(1 + args.infer):
            t = time.perf_counter()
            torch.sigmoid(model(image))
            if i >= 1:
                inf.append(time.perf_counter() - t)
    print(json.dumps({
        "torch": torch.__version__, "threads": args.threads, "base": args.base, "params": count(model),
        "step_s": step, "step_images_per_s": args.batch / step,
        "inference_s": sorted(inf)[len(inf) // 2],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
