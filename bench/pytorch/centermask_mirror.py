#!/usr/bin/env python3
"""CenterMask in PyTorch, module for module and rule for rule as CellSeg.Models' TorchSharp CenterMask, to train
from the same initial weights on the same batch and compare loss curves (bench/CellSeg.Models.Bench
`centermask-curves` drives it; see bench/RESULTS.md, "CenterMask from scratch").

Written from the C# sources and the architecture facts in ../shared/research/ANCHORS-ML.md §1 (centermask2, read,
not copied). State-dict keys are the C# model's, so `torch.load` of the C# side's export loads as is.

What the C# side hands over, and why:
- config.json: the network's shape and the FCOS/RoI settings (so tiny test models mirror too);
- init.pth: the C# model's initial state dict (or this script writes one with --write-init, torch's defaults);
- batch.pth: the prepared images (normalised, padded), GT boxes and classes per image;
- rois.pth: the LR of every iteration and per iteration the foreground RoIs the C# side's seeded sampler chose, with their 28x28 polygon-rasterised
  mask targets and area ratios. The sampling draws from .NET's Random and the targets come from the C# polygon
  rasteriser (pycocotools-exact, not installed here), so this side takes them as data. It does compute its own
  proposals (FCOS post-processing, GT appended, IoU >= 0.5 matching) and checks that every C# foreground RoI is one
  of its foreground candidates; the count of disagreements is printed.
Everything with a gradient is computed here independently: backbone, FPN, FCOS head, FCOS targets and losses,
RoIAlign (torchvision), SAG-Mask, MaskIoU targets and loss, SGD with momentum and weight decay (none on norms).

  /usr/bin/python3 centermask_mirror.py --dir DIR [--threads 2] [--grads]     trains, writes DIR/pytorch.json
  /usr/bin/python3 centermask_mirror.py --dir DIR --write-init [--seed 0]      writes DIR/init.pth (torch defaults)
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import batched_nms, box_iou, roi_align


# ---- backbone: VoVNet (FrozenBN, OSA with eSE) + FPN with P6/P7 ----------------------------------------------

class FrozenBN(nn.Module):
    def __init__(self, c, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(c))
        self.register_buffer("bias", torch.zeros(c))
        self.register_buffer("running_mean", torch.zeros(c))
        self.register_buffer("running_var", torch.ones(c) - eps)

    def forward(self, x):
        scale = self.weight * (self.running_var + self.eps).rsqrt()
        shift = self.bias - self.running_mean * scale
        return x * scale.reshape(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1)


def conv_unit(cin, cout, module, postfix, k, stride=1):
    return [(f"{module}_{postfix}/conv", nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)),
            (f"{module}_{postfix}/norm", FrozenBN(cout)), (f"{module}_{postfix}/relu", nn.ReLU())]


def dw_unit(cin, cout, module, postfix, stride=1):
    return [(f"{module}_{postfix}/dw_conv3x3", nn.Conv2d(cin, cout, 3, stride, 1, groups=cout, bias=False)),
            (f"{module}_{postfix}/pw_conv1x1", nn.Conv2d(cin, cout, 1, bias=False)),
            (f"{module}_{postfix}/pw_norm", FrozenBN(cout)), (f"{module}_{postfix}/pw_relu", nn.ReLU())]


def sequential(pairs):
    s = nn.Sequential()
    for name, m in pairs:
        s.add_module(name, m)
    return s


class Ese(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc = nn.Conv2d(c, c, 1)

    def forward(self, x):
        return x * (F.relu6(self.fc(x.mean((2, 3), keepdim=True)) + 3.0) / 6.0)


class Osa(nn.Module):
    def __init__(self, cin, stage, concat, layers, name, identity, depthwise):
        super().__init__()
        self.identity = identity
        self.reduced = depthwise and cin != stage
        if self.reduced:
            self.conv_reduction = sequential(conv_unit(cin, stage, f"{name}_reduction", "0", 1))
        c = stage if depthwise else cin
        mods = []
        for i in range(layers):
            mods.append(sequential(dw_unit(stage, stage, name, i) if depthwise else conv_unit(c, stage, name, i, 3)))
            c = stage
        self.layers = nn.ModuleList(mods)
        self.concat = sequential(conv_unit(cin + layers * stage, concat, name, "concat", 1))
        self.ese = Ese(concat)

    def forward(self, x):
        outputs = [x]
        y = self.conv_reduction(x) if self.reduced else x
        for layer in self.layers:
            y = layer(y)
            outputs.append(y)
        y = self.ese(self.concat(torch.cat(outputs, 1)))
        return y + x if self.identity else y


class VoVNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        stem, stage_ch, out_ch = spec["stemChannels"], spec["stageConvChannels"], spec["stageOutChannels"]
        layers, blocks, dw = spec["layersPerBlock"], spec["blocksPerStage"], spec["depthwise"]
        s = conv_unit(3, stem[0], "stem", "1", 3, 2)
        if dw:
            s += dw_unit(stem[0], stem[1], "stem", "2") + dw_unit(stem[1], stem[2], "stem", "3", 2)
        else:
            s += conv_unit(stem[0], stem[1], "stem", "2", 3) + conv_unit(stem[1], stem[2], "stem", "3", 3, 2)
        self.stem = sequential(s)
        cin = stem[2]
        for i in range(4):
            n = i + 2
            st = nn.Sequential()
            if n != 2:
                st.add_module("Pooling", nn.MaxPool2d(3, 2, ceil_mode=True))
            for b in range(blocks[i]):
                name = f"OSA{n}_{b + 1}"
                st.add_module(name, Osa(cin if b == 0 else out_ch[i], stage_ch[i], out_ch[i], layers, name, b > 0, dw))
            self.add_module(f"stage{n}", st)
            cin = out_ch[i]

    def forward(self, x):
        x = self.stage2(self.stem(x))
        c3 = self.stage3(x)
        c4 = self.stage4(c3)
        return [c3, c4, self.stage5(c4)]


class TopBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.p6 = nn.Conv2d(c, c, 3, 2, 1)
        self.p7 = nn.Conv2d(c, c, 3, 2, 1)


class Fpn(nn.Module):
    def __init__(self, ins, c):
        super().__init__()
        for lvl, cin in zip((3, 4, 5), ins):
            self.add_module(f"fpn_lateral{lvl}", nn.Conv2d(cin, c, 1))
            self.add_module(f"fpn_output{lvl}", nn.Conv2d(c, c, 3, 1, 1))
        self.top_block = TopBlock(c)

    def forward(self, feats):
        lat = [self.fpn_lateral3, self.fpn_lateral4, self.fpn_lateral5]
        out = [self.fpn_output3, self.fpn_output4, self.fpn_output5]
        results = [None] * 3
        prev = lat[2](feats[2])
        results[2] = out[2](prev)
        for i in (1, 0):
            lateral = lat[i](feats[i])
            prev = lateral + F.interpolate(prev, size=lateral.shape[-2:], mode="nearest")
            results[i] = out[i](prev)
        p6 = self.top_block.p6(results[2])
        p7 = self.top_block.p7(F.relu(p6))
        return results + [p6, p7]


class Backbone(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.bottom_up = VoVNet(cfg["backbone"])
        self.fpn = Fpn(cfg["backbone"]["stageOutChannels"][1:], cfg["fpnChannels"])

    def forward(self, x):
        return self.fpn(self.bottom_up(x))


# ---- FCOS head ---------------------------------------------------------------------------------------------

class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))


class FcosHead(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c, groups, k = cfg["fpnChannels"], cfg["groupNormGroups"], cfg["numClasses"]
        for tower in ("cls_tower", "bbox_tower"):
            mods = []
            for _ in range(cfg["fcosTowerConvs"]):
                mods += [nn.Conv2d(c, c, 3, 1, 1), nn.GroupNorm(groups, c), nn.ReLU()]
            self.add_module(tower, nn.Sequential(*mods))
        self.cls_logits = nn.Conv2d(c, k, 3, 1, 1)
        self.bbox_pred = nn.Conv2d(c, 4, 3, 1, 1)
        self.ctrness = nn.Conv2d(c, 1, 3, 1, 1)
        self.scales = nn.ModuleList(Scale() for _ in cfg["fpnStrides"])
        # centermask2's (and the C# side's) FCOS initialisation, also in --write-init
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
        p = cfg["priorProbability"]
        nn.init.constant_(self.cls_logits.bias, -math.log((1 - p) / p))

    def forward(self, feats):
        logits, boxes, ctr = [], [], []
        for lvl, f in enumerate(feats):
            c = self.cls_tower(f)
            b = self.bbox_tower(f)
            logits.append(self.cls_logits(c))
            ctr.append(self.ctrness(b))
            boxes.append(F.relu(self.bbox_pred(b) * self.scales[lvl].scale))
        return logits, boxes, ctr


class ProposalGenerator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.fcos_head = FcosHead(cfg)


# ---- RoI heads -------------------------------------------------------------------------------------------

class SpatialAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, 3, 1, 1, bias=False)

    def forward(self, x):
        a = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)
        return x * self.conv(a).sigmoid()


class SagMaskHead(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        cin, c, n = cfg["fpnChannels"], cfg["maskHeadChannels"], cfg["maskHeadConvs"]
        self.convs = []
        for k in range(n):
            conv = nn.Conv2d(cin if k == 0 else c, c, 3, 1, 1)
            self.add_module(f"mask_fcn{k + 1}", conv)
            self.convs.append(conv)
        self.spatialAtt = SpatialAttention()
        self.deconv = nn.ConvTranspose2d(c if n > 0 else cin, c, 2, 2)
        self.predictor = nn.Conv2d(c, cfg["numClasses"], 1)

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return self.predictor(F.relu(self.deconv(self.spatialAtt(x))))


class MaskIouHead(nn.Module):
    def __init__(self, cfg, resolution=14):
        super().__init__()
        cin, c, n = cfg["fpnChannels"], cfg["maskIouChannels"], cfg["maskIouConvs"]
        self.convs = []
        for k in range(n):
            conv = nn.Conv2d(cin + 1 if k == 0 else c, c, 3, 2 if k + 1 == n else 1, 1)
            self.add_module(f"maskiou_fcn{k + 1}", conv)
            self.convs.append(conv)
        side = resolution // 2
        self.maskiou_fc1 = nn.Linear(c * side * side, 1024)
        self.maskiou_fc2 = nn.Linear(1024, 1024)
        self.maskiou = nn.Linear(1024, cfg["numClasses"])

    def forward(self, feats, mask_prob, trace=None):
        x = torch.cat([feats, F.max_pool2d(mask_prob, 2, 2)], 1)
        for k, conv in enumerate(self.convs):
            x = F.relu(conv(x))
            if trace is not None:
                trace[f"maskiou_fcn{k + 1} (after ReLU)"] = rms(x)
        x = F.relu(self.maskiou_fc1(x.flatten(1)))
        if trace is not None:
            trace["maskiou_fc1 (after ReLU)"] = rms(x)
        x = F.relu(self.maskiou_fc2(x))
        if trace is not None:
            trace["maskiou_fc2 (after ReLU)"] = rms(x)
        x = self.maskiou(x)
        if trace is not None:
            trace["maskiou (prediction)"] = rms(x)
        return x


class RoiHeads(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.mask_head = SagMaskHead(cfg)
        self.maskiou_head = MaskIouHead(cfg)


class CenterMask(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.backbone = Backbone(cfg)
        self.proposal_generator = ProposalGenerator(cfg)
        self.roi_heads = RoiHeads(cfg)


def rms(t):
    return float(t.detach().double().pow(2).mean().sqrt()) if t.numel() else 0.0


# ---- FCOS targets, losses and training proposals ---------------------------------------------------------------

def locations(h, w, s):
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32) * s, torch.arange(w, dtype=torch.float32) * s, indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], 1) + s // 2


def fcos_targets(cfg, shapes, boxes, classes):
    """Dense assignment: centre sampling (radius x stride, clipped to the box), the level's size range on
    max(l, t, r, b), the smallest-area box per location (first on ties); regression in stride units."""
    strides, sizes, k = cfg["fpnStrides"], cfg["sizesOfInterest"], cfg["numClasses"]
    lows = [-1.0] + list(sizes)
    highs = list(sizes) + [1e8]
    locs, stride, low, high = [], [], [], []
    for lvl, (h, w) in enumerate(shapes):
        l = locations(h, w, strides[lvl])
        locs.append(l)
        stride.append(torch.full((len(l),), float(strides[lvl])))
        low.append(torch.full((len(l),), lows[lvl]))
        high.append(torch.full((len(l),), highs[lvl]))
    locs, stride, low, high = torch.cat(locs), torch.cat(stride), torch.cat(low), torch.cat(high)
    if len(boxes) == 0:
        return torch.full((len(locs),), k, dtype=torch.long), torch.zeros(len(locs), 4)
    xs, ys = locs[:, 0:1], locs[:, 1:2]
    x1, y1, x2, y2 = boxes[:, 0][None], boxes[:, 1][None], boxes[:, 2][None], boxes[:, 3][None]
    left, top, right, bottom = xs - x1, ys - y1, x2 - xs, y2 - ys
    if cfg["centerSampling"]:
        radius = (stride * cfg["positiveRadius"])[:, None]
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        cx1, cy1 = torch.maximum(cx - radius, x1), torch.maximum(cy - radius, y1)
        cx2, cy2 = torch.minimum(cx + radius, x2), torch.minimum(cy + radius, y2)
        inside = torch.minimum(torch.minimum(xs - cx1, ys - cy1), torch.minimum(cx2 - xs, cy2 - ys)) > 0
    else:
        inside = torch.minimum(torch.minimum(left, top), torch.minimum(right, bottom)) > 0
    reach = torch.maximum(torch.maximum(left, top), torch.maximum(right, bottom))
    in_range = (reach >= low[:, None]) & (reach <= high[:, None])
    area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))[None].expand(len(locs), -1)
    cand = torch.where(inside & in_range, area, torch.full_like(area, 1e8))
    min_area, idx = cand.min(1)
    labels = classes[idx].long().clone()
    labels[min_area == 1e8] = k
    pick = idx[:, None]
    reg = torch.stack([left.gather(1, pick)[:, 0], top.gather(1, pick)[:, 0], right.gather(1, pick)[:, 0], bottom.gather(1, pick)[:, 0]], 1)
    return labels, reg / stride[:, None]


def flatten(levels, channels):
    b = levels[0].shape[0]
    return torch.cat([t.permute(0, 2, 3, 1).reshape(b, -1, channels) for t in levels], 1).reshape(-1, channels)


def fcos_losses(cfg, head, targets):
    logits_l, boxes_l, ctr_l = head
    k = cfg["numClasses"]
    logits, regression, ctr = flatten(logits_l, k), flatten(boxes_l, 4), flatten(ctr_l, 1).reshape(-1)
    labels = torch.cat([t[0] for t in targets])
    reg_t = torch.cat([t[1] for t in targets])
    pos = (labels != k).nonzero().reshape(-1)
    num_pos = len(pos)
    cls_t = F.one_hot(labels, k + 1)[:, :k].to(logits.dtype)
    p = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, cls_t, reduction="none")
    p_t = p * cls_t + (1 - p) * (1 - cls_t)
    alpha, gamma = cfg["focalAlpha"], cfg["focalGamma"]
    focal = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        focal = focal * (alpha * cls_t + (1 - alpha) * (1 - cls_t))
    loss_cls = focal.sum() / max(num_pos, 1)
    if num_pos == 0:
        return loss_cls, regression.sum() * 0, ctr.sum() * 0, 0
    pr, tr = regression[pos], reg_t[pos]
    lr, tb = tr[:, [0, 2]], tr[:, [1, 3]]
    ctr_t = torch.sqrt((lr.min(1).values / lr.max(1).values) * (tb.min(1).values / tb.max(1).values))
    pl, pt, pr_, pb = pr.unbind(1)
    tl, tt, trr, tbb = tr.unbind(1)
    target_area = (tl + trr) * (tt + tbb)
    pred_area = (pl + pr_) * (pt + pb)
    inter = (torch.minimum(pl, tl) + torch.minimum(pr_, trr)) * (torch.minimum(pb, tbb) + torch.minimum(pt, tt))
    enclose = (torch.maximum(pl, tl) + torch.maximum(pr_, trr)) * (torch.maximum(pb, tbb) + torch.maximum(pt, tt)) + 1e-7
    union = target_area + pred_area - inter
    iou = (inter + 1.0) / (union + 1.0)
    giou = iou - (enclose - union) / enclose
    losses = 1 - giou
    weighted = (losses * ctr_t).sum() if float(ctr_t.sum()) > 0 else losses.sum()
    loss_loc = weighted / max(float(ctr_t.sum()), 1e-6)
    loss_ctr = F.binary_cross_entropy_with_logits(ctr[pos], ctr_t, reduction="sum") / num_pos
    return loss_cls, loss_loc, loss_ctr, num_pos


@torch.no_grad()
def training_proposals(cfg, head, n, size):
    """One image's FCOS detections with the training thresholds: candidates above the score threshold, top-k per
    level by cls x ctr, boxes from the locations, score sqrt(cls x ctr), class-wise NMS, post-NMS top-k, clipped."""
    logits_l, boxes_l, ctr_l = head
    strides = cfg["fpnStrides"]
    all_b, all_s, all_c = [], [], []
    for lvl, s in enumerate(strides):
        lg = logits_l[lvl][n]
        k, h, w = lg.shape
        cls = lg.sigmoid().permute(1, 2, 0).reshape(-1, k)
        ctr = ctr_l[lvl][n].sigmoid().reshape(-1)
        reg = boxes_l[lvl][n].permute(1, 2, 0).reshape(-1, 4) * s
        cand = (cls > cfg["scoreThresholdTrain"]).reshape(-1).nonzero().reshape(-1)
        if len(cand) == 0:
            continue
        score = (cls * ctr[:, None]).reshape(-1)[cand]
        if len(cand) > cfg["preNmsTopKTrain"]:
            score, top = score.topk(cfg["preNmsTopKTrain"])
            cand = cand[top]
        loc = torch.div(cand, k, rounding_mode="floor")
        pts = locations(h, w, s)[loc]
        d = reg[loc]
        all_b.append(torch.stack([pts[:, 0] - d[:, 0], pts[:, 1] - d[:, 1], pts[:, 0] + d[:, 2], pts[:, 1] + d[:, 3]], 1))
        all_s.append(score.sqrt())
        all_c.append(cand % k)
    if not all_b:
        return torch.zeros(0, 4)
    boxes, scores, classes = torch.cat(all_b), torch.cat(all_s), torch.cat(all_c)
    keep = batched_nms(boxes, scores, classes, cfg["nmsThreshold"])[:cfg["postNmsTopKTrain"]]
    b = boxes[keep]
    h, w = size
    return torch.stack([b[:, 0].clamp(0, w), b[:, 1].clamp(0, h), b[:, 2].clamp(0, w), b[:, 3].clamp(0, h)], 1)


def pool(cfg, feats, rois, sizes, out=14):
    """RoIAlign (aligned, adaptive sampling) on P3-P5, level ceil(5 - log2(image area / box area)) clamped to [3, 5]."""
    strides = cfg["fpnStrides"][:3]
    levels = [int(round(math.log2(s))) for s in strides]
    area_img = torch.tensor([float(h * w) for h, w in sizes])[rois[:, 0].long()]
    area_box = (rois[:, 3] - rois[:, 1]) * (rois[:, 4] - rois[:, 2])
    lvl = torch.ceil(levels[-1] - torch.log2(area_img / area_box + 2.220446049250313e-16)).clamp(levels[0], levels[-1]).long() - levels[0]
    result = feats[0].new_zeros(len(rois), feats[0].shape[1], out, out)
    for i, s in enumerate(strides):
        sel = (lvl == i).nonzero().reshape(-1)
        if len(sel):
            result[sel] = roi_align(feats[i], rois[sel], out, 1.0 / s, 0, True)
    return result


# ---- one iteration ---------------------------------------------------------------------------------------

def losses(cfg, model, images, sizes, boxes, classes, rois, roi_classes, masks, ratios, trace=None):
    feats = model.backbone(images)
    head = model.proposal_generator.fcos_head(feats)
    shapes = [tuple(t.shape[-2:]) for t in head[0]]
    targets = [fcos_targets(cfg, shapes, boxes[i], classes[i]) for i in range(len(sizes))]
    loss_cls, loss_loc, loss_ctr, num_pos = fcos_losses(cfg, head, targets)

    # this side's own foreground candidates, to check the C# side's sampled RoIs against
    disagreements = 0
    for i in range(len(sizes)):
        props = torch.cat([training_proposals(cfg, head, i, sizes[i]), boxes[i]])
        best = box_iou(props, boxes[i]).max(1).values if len(boxes[i]) else torch.zeros(len(props))
        fg = props[best >= cfg["roiIouThreshold"]]
        ours = rois[rois[:, 0] == i, 1:]
        if len(ours):
            near = (ours[:, None, :] - fg[None, :, :]).abs().amax(2).amin(1) if len(fg) else torch.full((len(ours),), 1e9)
            disagreements += int((near > 1e-3).sum())

    pooled = pool(cfg, feats[:3], rois, sizes)
    logits = model.roi_heads.mask_head(pooled)
    if len(rois) == 0:
        zero = logits.sum() * 0
        return [loss_cls, loss_loc, loss_ctr, zero, zero.clone()], num_pos, 0, disagreements, feats
    index = torch.arange(len(rois))
    selected = logits[index, roi_classes]
    loss_mask = F.binary_cross_entropy_with_logits(selected, masks, reduction="mean")
    with torch.no_grad():
        pred = (selected.detach() > 0).double()
        gt = masks.double()
        full_area = gt.sum((1, 2)) / ratios.double().clamp(min=1e-10)
        overlap = (pred * gt).sum((1, 2)).clamp(min=0)
        union = (pred.sum((1, 2)) + full_area - overlap).clamp(min=1)
        iou_t = (overlap / union).float()
    if trace is not None:
        trace["pooled RoI features"] = rms(pooled)
    pred_iou = model.roi_heads.maskiou_head(pooled, selected.sigmoid().unsqueeze(1), trace)
    at_class = pred_iou[index, roi_classes]
    pos = (iou_t > 0).nonzero().reshape(-1)
    if len(pos) == 0:
        loss_iou = at_class.sum() * 0
    else:
        loss_iou = 0.5 * ((at_class[pos] - iou_t[pos]) ** 2).sum() / len(pos) * cfg["maskIouLossWeight"]
    return [loss_cls, loss_loc, loss_ctr, loss_mask, loss_iou], num_pos, len(rois), disagreements, feats


def finite_or_none(v):
    """A loss as JSON allows it: NaN and infinities are not JSON numbers, so they are written as null."""
    v = float(v)
    return v if math.isfinite(v) else None


NAMES = ["loss_fcos_cls", "loss_fcos_loc", "loss_fcos_ctr", "loss_mask", "loss_maskiou"]


def optimiser(model, momentum, weight_decay):
    norm_ids = {id(p) for m in model.modules() if isinstance(m, nn.GroupNorm) for p in m.parameters()}
    decayed = [p for p in model.parameters() if p.requires_grad and id(p) not in norm_ids]
    plain = [p for p in model.parameters() if p.requires_grad and id(p) in norm_ids]
    return torch.optim.SGD([{"params": decayed, "weight_decay": weight_decay}, {"params": plain, "weight_decay": 0.0}],
                           lr=0.0, momentum=momentum)


def train(d, want_grads):
    cfg = json.load(open(os.path.join(d, "config.json")))
    model = CenterMask(cfg)
    state = torch.load(os.path.join(d, "init.pth"))
    model.load_state_dict(state, strict=True)
    batch = torch.load(os.path.join(d, "batch.pth"))
    rois = torch.load(os.path.join(d, "rois.pth"))
    images = batch["images"]
    n = images.shape[0]
    sizes = [tuple(int(v) for v in batch[f"size.{i}"].tolist()) for i in range(n)]
    boxes = [batch[f"boxes.{i}"] for i in range(n)]
    classes = [batch[f"classes.{i}"] for i in range(n)]
    lrs = rois["lr"].tolist()
    opt = optimiser(model, cfg["momentum"], cfg["weightDecay"])
    model.train()
    curve, extra = [], {}
    clock = time.perf_counter()
    for it, lr in enumerate(lrs):
        for g in opt.param_groups:
            g["lr"] = lr
        trace = {} if it == 0 else None
        parts, num_pos, num_rois, dis, feats = losses(cfg, model, images, sizes, boxes, classes,
                                                      rois[f"rois.{it}"], rois[f"classes.{it}"].long(),
                                                      rois[f"masks.{it}"], rois[f"ratios.{it}"], trace)
        total = sum(parts)
        opt.zero_grad()
        total.backward()
        if it == 0:
            extra["activations"] = dict({f"P{l + 3}": rms(f) for l, f in enumerate(feats)}, **trace)
            if want_grads:
                extra["grad_norms"] = {k: float(p.grad.double().norm()) for k, p in model.named_parameters() if p.grad is not None}
        opt.step()
        curve.append(dict({k: finite_or_none(v) for k, v in zip(NAMES, parts)}, total=finite_or_none(total), num_pos=num_pos,
                          rois=num_rois, roi_disagreements=dis))
        if not math.isfinite(float(total)):
            break  # as the C# side: the curve ends at the first non-finite loss
    out = dict(framework=f"pytorch {torch.__version__}", seconds=time.perf_counter() - clock, curve=curve, **extra)
    with open(os.path.join(d, "pytorch.json"), "w") as f:
        json.dump(out, f)


def write_init(d, seed):
    """torch's default initialisation everywhere, except the FCOS head (centermask2's, as the C# side)."""
    cfg = json.load(open(os.path.join(d, "config.json")))
    torch.manual_seed(seed)
    torch.save(CenterMask(cfg).state_dict(), os.path.join(d, "init.pth"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--grads", action="store_true")
    ap.add_argument("--write-init", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.write_init:
        write_init(a.dir, a.seed)
    else:
        train(a.dir, a.grads)


if __name__ == "__main__":
    main()
