using CellSeg.Data.Masks;
using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class MaskPasterTests
{
    [Fact]
    public void No_detections_paste_to_no_masks()
    {
        using var masks = zeros(0, 1, 28, 28);
        using var boxes = zeros(0, 4);
        Assert.Empty(MaskPaster.PasteAll(masks, boxes, 64, 50));
    }

    [Fact]
    public void A_full_mask_in_a_box_of_its_size_covers_exactly_the_box_and_round_trips_through_rle()
    {
        // 28×28 ones into a 28-pixel box at (10, 20): pixel centres 10.5…37.5 sample the mask at 0…27 exactly;
        // pixel 9 samples −1 and pixel 38 samples 28, both outside: zero.
        var mask = Enumerable.Repeat(1f, 784).ToArray();
        var rle = MaskPaster.Paste(mask, 28, 10, 20, 38, 48, 64, 50);
        Assert.Equal(28 * 28, rle.Area);
        var decoded = Rle.FromCompressedString(rle.ToCompressedString(), 64, 50).Decode();
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 50; x++)
            {
                var inside = x is >= 10 and < 38 && y is >= 20 and < 48;
                Assert.True(inside == (decoded[x, y] != 0), $"pixel ({x}, {y})");
            }
        }
    }

    [Fact]
    public void The_left_half_of_a_mask_scaled_two_times_covers_the_left_half_of_the_box()
    {
        var mask = new float[784];
        for (var y = 0; y < 28; y++)
        {
            for (var x = 0; x < 14; x++)
            {
                mask[y * 28 + x] = 1;
            }
        }

        // Box 56×56 at (0, 0): pixel x samples the mask at (x + 0.5) / 2 − 0.5; the value at the edge
        // between mask columns 13 and 14 is 0.5 at pixel 27.5 → pixels 0…27 reach ≥ 0.5 (27 samples 13.25 → 1).
        var rle = MaskPaster.Paste(mask, 28, 0, 0, 56, 56, 60, 60);
        var decoded = rle.Decode();
        Assert.Equal(28 * 56, rle.Area);
        Assert.NotEqual(0, decoded[27, 30]);
        Assert.Equal(0, decoded[28, 30]);
    }

    [Fact]
    public void Pasting_matches_detectron2s_grid_sample_recipe_in_torch()
    {
        const int n = 12, h = 70, w = 90;
        var generator = new Random(9);
        var masks = new float[n * 784];
        for (var i = 0; i < masks.Length; i++)
        {
            masks[i] = (float)generator.NextDouble();
        }

        var boxes = new float[n * 4];
        for (var i = 0; i < n; i++)
        {
            var x0 = (float)(generator.NextDouble() * 60);
            var y0 = (float)(generator.NextDouble() * 50);
            var bw = (float)(1 + generator.NextDouble() * 40);
            var bh = (float)(1 + generator.NextDouble() * 30);
            boxes[i * 4] = x0;
            boxes[i * 4 + 1] = y0;
            boxes[i * 4 + 2] = Math.Min(x0 + bw, w);
            boxes[i * 4 + 3] = Math.Min(y0 + bh, h);
        }

        var rles = MaskPaster.PasteAll(tensor(masks, [n, 1, 28, 28]), tensor(boxes, [n, 4]), h, w);

        // The recipe of detectron2's _do_paste_mask (CPU path: one mask at a time, box extent ± 1 pixel).
        var script = $$"""
            import math, numpy as np, torch
            import torch.nn.functional as F
            masks = torch.from_numpy(np.fromfile('masks.f32', dtype='<f4').reshape(-1, 1, 28, 28))
            boxes = torch.from_numpy(np.fromfile('boxes.f32', dtype='<f4').reshape(-1, 4))
            out = np.zeros(({{n}}, {{h}}, {{w}}), dtype='<f4')
            for i in range({{n}}):
                b = boxes[i:i+1]
                x0i, y0i = torch.clamp(b.min(dim=0).values.floor()[:2] - 1, min=0).to(dtype=torch.int32)
                x1i = torch.clamp(b[:, 2].max().ceil() + 1, max={{w}}).to(dtype=torch.int32)
                y1i = torch.clamp(b[:, 3].max().ceil() + 1, max={{h}}).to(dtype=torch.int32)
                x0, y0, x1, y1 = torch.split(b, 1, dim=1)
                iy = torch.arange(y0i, y1i, dtype=torch.float32) + 0.5
                ix = torch.arange(x0i, x1i, dtype=torch.float32) + 0.5
                iy = (iy - y0) / (y1 - y0) * 2 - 1
                ix = (ix - x0) / (x1 - x0) * 2 - 1
                gx = ix[:, None, :].expand(1, iy.size(1), ix.size(1))
                gy = iy[:, :, None].expand(1, iy.size(1), ix.size(1))
                grid = torch.stack([gx, gy], dim=3)
                pasted = F.grid_sample(masks[i:i+1], grid, align_corners=False)[0, 0]
                out[i, y0i:y1i, x0i:x1i] = (pasted >= 0.5).numpy()
            out.tofile('out_pasted.f32')
            """;
        var reference = TorchvisionReference.Run(script, new Dictionary<string, float[]> { ["masks"] = masks, ["boxes"] = boxes })["out_pasted"];

        var differing = 0;
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            var decoded = rles[i].Decode();
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var expected = reference[(i * h + y) * w + x] != 0;
                    total += expected ? 1 : 0;
                    differing += expected != (decoded[x, y] != 0) ? 1 : 0;
                }
            }
        }

        Assert.True(total > 1000, "the reference pasted something");
        Assert.Equal(0, differing);
    }
}
