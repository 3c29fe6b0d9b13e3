/*
 * Times pycocotools' C rasterisation on the polygons the benchmark dumped, so the C# rasteriser is
 * compared with the real thing rather than with a guess. It links against pycocotools' own
 * common/maskApi.c and maskApi.h (cocodataset/cocoapi, Simplified BSD), which are NOT part of this
 * repository: copy them into a folder outside the repo and pass it to the benchmark with --cocoapi DIR.
 *
 * Two figures, both single-threaded like pycocotools:
 *   frpoly   : rleFrPoly per polygon (what Rle.FromPolygon reproduces);
 *   annToRLE : the C work annToRLE does per annotation: frPyObjects = rleFrPoly + rleToString per
 *              polygon, then merge = rleFrString per polygon + rleMerge + rleToString.
 *              The Python and Cython object overhead around those calls is not counted, so this is a
 *              lower bound for pycocotools.
 *
 * Input (little-endian, written by `CellSeg.Bench parse`): "PLY1", int64 annotation count, then per
 * annotation int32 height, int32 width, int32 polygon count, and per polygon int32 coordinate count
 * followed by that many float64 values (x1, y1, x2, y2, ...).
 * Output: one line "RESULT {json}".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "maskApi.h"

typedef struct { int32_t h, w, npoly; int32_t *ncoords; double **coords; } Annotation;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void read_exact(FILE *f, void *dst, size_t bytes)
{
    if (fread(dst, 1, bytes, f) != bytes)
    {
        fprintf(stderr, "polygon dump ends early\n");
        exit(2);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2)
    {
        fprintf(stderr, "usage: rle_anchor POLYGONS.bin\n");
        return 2;
    }

    FILE *f = fopen(argv[1], "rb");
    if (!f)
    {
        perror(argv[1]);
        return 2;
    }

    char magic[4];
    int64_t count;
    read_exact(f, magic, 4);
    if (memcmp(magic, "PLY1", 4) != 0)
    {
        fprintf(stderr, "%s is not a polygon dump\n", argv[1]);
        return 2;
    }

    read_exact(f, &count, 8);
    Annotation *anns = calloc((size_t)count, sizeof(Annotation));
    int64_t polygons = 0, vertices = 0;
    for (int64_t i = 0; i < count; i++)
    {
        Annotation *a = &anns[i];
        read_exact(f, &a->h, 4);
        read_exact(f, &a->w, 4);
        read_exact(f, &a->npoly, 4);
        a->ncoords = malloc(sizeof(int32_t) * a->npoly);
        a->coords = malloc(sizeof(double *) * a->npoly);
        for (int p = 0; p < a->npoly; p++)
        {
            read_exact(f, &a->ncoords[p], 4);
            a->coords[p] = malloc(sizeof(double) * a->ncoords[p]);
            read_exact(f, a->coords[p], sizeof(double) * a->ncoords[p]);
            polygons++;
            vertices += a->ncoords[p] / 2;
        }
    }

    fclose(f);

    /* rleFrPoly alone. */
    uint64_t checksum = 0;
    double t0 = now();
    for (int64_t i = 0; i < count; i++)
    {
        Annotation *a = &anns[i];
        for (int p = 0; p < a->npoly; p++)
        {
            RLE r;
            rleFrPoly(&r, a->coords[p], a->ncoords[p] / 2, a->h, a->w);
            checksum += r.m;
            rleFree(&r);
        }
    }

    double frpoly = now() - t0;

    /* The C calls of annToRLE for a polygon annotation. */
    uint64_t chars = 0;
    t0 = now();
    for (int64_t i = 0; i < count; i++)
    {
        Annotation *a = &anns[i];
        RLE *parts = malloc(sizeof(RLE) * a->npoly);
        for (int p = 0; p < a->npoly; p++)
        {
            RLE r;
            rleFrPoly(&r, a->coords[p], a->ncoords[p] / 2, a->h, a->w);
            char *s = rleToString(&r);
            rleFree(&r);
            rleFrString(&parts[p], s, a->h, a->w);
            free(s);
        }

        RLE merged;
        rleMerge(parts, &merged, a->npoly, 0);
        char *s = rleToString(&merged);
        chars += strlen(s);
        free(s);
        rleFree(&merged);
        for (int p = 0; p < a->npoly; p++)
        {
            rleFree(&parts[p]);
        }

        free(parts);
    }

    double annToRle = now() - t0;
    printf("RESULT {\"annotations\": %lld, \"polygons\": %lld, \"vertices\": %lld, \"frpoly_s\": %.6f, \"anntorle_s\": %.6f, \"runs\": %llu, \"chars\": %llu}\n",
           (long long)count, (long long)polygons, (long long)vertices, frpoly, annToRle,
           (unsigned long long)checksum, (unsigned long long)chars);
    return 0;
}
