using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Masks;

namespace CellSeg.Metrics.Coco;

/// <summary>One ground-truth object as evaluation sees it: id, category, JSON area, crowd flag, mask and box.</summary>
public sealed record EvalObject(long Id, int CategoryId, double Area, bool IsCrowd, Rle? Mask, BoundingBox Box, double Score = 0);

/// <summary>
/// Ground truth prepared for COCO evaluation: every annotation already rasterised to its RLE (as
/// pycocotools' <c>annToRLE</c> does) and grouped by image. Polygons are not kept, so a LIVECell-sized
/// file fits in a fraction of its JSON size.
/// </summary>
public sealed class EvalGroundTruth
{
    private readonly Dictionary<long, int> _indexById;

    internal EvalGroundTruth(IReadOnlyList<CocoImage> images, IReadOnlyList<int> categoryIds, List<EvalObject>[] objects, IReadOnlyList<ReadIssue> issues, string? sourcePath)
    {
        Images = images;
        CategoryIds = categoryIds;
        ObjectsByImage = objects;
        Issues = issues;
        SourcePath = sourcePath;
        _indexById = new Dictionary<long, int>(images.Count);
        for (var i = 0; i < images.Count; i++)
        {
            _indexById[images[i].Id] = i;
        }
    }

    /// <summary>The file read, if any.</summary>
    public string? SourcePath { get; }

    /// <summary>Images in file order.</summary>
    public IReadOnlyList<CocoImage> Images { get; }

    /// <summary>Category ids, ascending (pycocotools' <c>getCatIds()</c> order).</summary>
    public IReadOnlyList<int> CategoryIds { get; }

    /// <summary>Objects of each image (indexed like <see cref="Images"/>), in file order.</summary>
    public IReadOnlyList<IReadOnlyList<EvalObject>> ObjectsByImage { get; }

    /// <summary>Records skipped in lenient mode.</summary>
    public IReadOnlyList<ReadIssue> Issues { get; }

    /// <summary>Total number of objects.</summary>
    public int ObjectCount => ObjectsByImage.Sum(o => o.Count);

    /// <summary>Index of an image id in <see cref="Images"/>, or −1.</summary>
    public int IndexOf(long imageId) => _indexById.GetValueOrDefault(imageId, -1);

    /// <summary>Prepares an in-memory dataset (rasterising in parallel).</summary>
    public static EvalGroundTruth FromDataset(CocoDataset dataset, IouType iouType)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var images = dataset.Images;
        var lists = new List<EvalObject>[images.Count];
        Parallel.For(0, images.Count, () => new RleBlockStore(), (i, _, store) =>
        {
            var image = images[i];
            var annotations = dataset.AnnotationsOf(image.Id);
            var list = new List<EvalObject>(annotations.Count);
            foreach (var a in annotations)
            {
                list.Add(ToEvalObject(a, image, iouType, store));
            }

            lists[i] = list;
            return store;
        }, _ => { });
        var categories = dataset.Categories.Select(c => c.Id).Distinct().Order().ToArray();
        return new EvalGroundTruth(images, categories, lists, dataset.Issues, dataset.SourcePath);
    }

    /// <summary>
    /// Streams a ground-truth file and rasterises annotations while it reads (reading on one thread,
    /// rasterising batches in parallel), keeping only RLEs. Same checks as <see cref="CocoReader.LoadAsync"/>.
    /// </summary>
    public static async Task<EvalGroundTruth> LoadAsync(string path, IouType iouType, CocoReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= CocoReadOptions.Default;
        var sink = new StreamingSink(path, iouType, options.Lenient);
        try
        {
            await CocoReader.ReadAsync(path, sink, options, sink.Validator.AddIssue, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            sink.Abandon();
            throw;
        }

        return await sink.CompleteAsync().ConfigureAwait(false);
    }

    internal static EvalObject ToEvalObject(CocoAnnotation a, CocoImage image, IouType iouType, RleBlockStore? store = null)
    {
        Rle? mask = null;
        if (iouType == IouType.Segm)
        {
            mask = store is not null && a.Segmentation is PolygonSegmentation polygons
                ? store.FromPolygons(polygons.Polygons, image.Height, image.Width)
                : a.Segmentation.ToRle(image.Height, image.Width);
        }

        return new EvalObject(a.Id, a.CategoryId, a.Area, a.IsCrowd, mask, a.Bbox);
    }

    /// <summary>
    /// Collects images, and hands annotations in batches to rasteriser threads while the reader goes
    /// on. There is one rasteriser per core (at most four) besides the reader, so on two cores the
    /// cores stay busy whichever side is ahead: parsing and rasterising cost about the same, and a
    /// single rasteriser thread left one core idle whenever the reader waited on it or it on the
    /// reader. Batches are numbered and their results put back in file order, so objects keep the
    /// order pycocotools sees them in (which decides ties).
    /// </summary>
    private sealed class StreamingSink : ICocoRecordSink
    {
        // Small batches and a short queue: annotations waiting in the queue hold their polygon arrays,
        // and whatever is still queued when a collection runs is copied into an older generation.
        private const int BatchSize = 512;
        private readonly string path;
        private readonly IouType iouType;
        private readonly bool lenient;
        private readonly System.Collections.Concurrent.BlockingCollection<(int Sequence, (CocoAnnotation Annotation, CocoImage Image, int ImageIndex)[] Work)> _queue = new(boundedCapacity: 2 * Math.Clamp(Environment.ProcessorCount, 1, 4));
        private readonly Thread[] _rasterisers;
        private Exception? _failure;
        private readonly List<CocoImage> _images = [];
        private readonly Dictionary<long, int> _imageIndex = [];
        private readonly List<List<EvalObject>> _objects = [];
        private readonly List<CocoCategory> _categories = [];
        private readonly UniqueIds _annotationIds = new();
        private readonly List<(CocoAnnotation Annotation, CocoImage Image, int ImageIndex)> _batch = new(BatchSize);
        private readonly List<CocoAnnotation> _waitingForImage = [];
        // Results by batch number until the reader moves them, in order, into _objects.
        private readonly List<(int ImageIndex, EvalObject Object)[]?> _done = [];
        private int _drained;

        public StreamingSink(string path, IouType iouType, bool lenient)
        {
            this.path = path;
            this.iouType = iouType;
            this.lenient = lenient;
            Validator = new CocoDatasetBuilder(path, lenient);
            _rasterisers = new Thread[Math.Clamp(Environment.ProcessorCount, 1, 4)];
            for (var i = 0; i < _rasterisers.Length; i++)
            {
                _rasterisers[i] = new Thread(Rasterise) { IsBackground = true, Name = "rasteriser" };
                _rasterisers[i].Start();
            }
        }

        public CocoDatasetBuilder Validator { get; }

        public void OnOtherField(string name, string rawJson)
        {
        }

        public void OnImage(CocoImage image)
        {
            if (_imageIndex.TryAdd(image.Id, _images.Count))
            {
                _images.Add(image);
                _objects.Add([]);
            }

            Validator.OnImage(image);
        }

        public void OnCategory(CocoCategory category)
        {
            _categories.Add(category);
            Validator.OnCategory(category);
        }

        public void OnAnnotation(CocoAnnotation annotation)
        {
            if (!_annotationIds.Add(annotation.Id))
            {
                Reject(annotation, "duplicate annotation id");
                return;
            }

            if (!_imageIndex.TryGetValue(annotation.ImageId, out var imageIndex))
            {
                _waitingForImage.Add(annotation);
                return;
            }

            Add(annotation, imageIndex);
        }

        public async Task<EvalGroundTruth> CompleteAsync()
        {
            foreach (var a in _waitingForImage)
            {
                if (!_imageIndex.TryGetValue(a.ImageId, out var imageIndex))
                {
                    Reject(a, $"refers to image {a.ImageId}, which is not in the file");
                }
                else
                {
                    Add(a, imageIndex);
                }
            }

            Flush();
            _queue.CompleteAdding();
            await Task.Run(() =>
            {
                foreach (var thread in _rasterisers)
                {
                    thread.Join();
                }
            }).ConfigureAwait(false);
            if (_failure is not null)
            {
                throw new InvalidOperationException("rasterising the ground truth failed: " + _failure.Message, _failure);
            }

            Drain();
            var lists = _objects.ToArray();
            var categories = _categories.Select(c => c.Id).Distinct().Order().ToArray();
            return new EvalGroundTruth(_images, categories, lists, Validator.Issues, path);
        }

        private void Add(CocoAnnotation annotation, int imageIndex)
        {
            var image = _images[imageIndex];
            var problem = Validator.CheckAnnotation(annotation, image);
            if (problem is not null)
            {
                Reject(annotation, problem);
                return;
            }

            _batch.Add((annotation, image, imageIndex));
            if (_batch.Count == BatchSize)
            {
                Flush();
            }
        }

        private void Reject(CocoAnnotation annotation, string problem)
        {
            if (!lenient)
            {
                throw new DataFormatException(path, $"annotation {annotation.Id}", problem);
            }

            Validator.AddIssue(new ReadIssue($"annotation {annotation.Id}", problem));
        }

        /// <summary>Stops the rasteriser thread after a failed read.</summary>
        public void Abandon()
        {
            if (!_queue.IsAddingCompleted)
            {
                _queue.CompleteAdding();
            }
        }

        private void Flush()
        {
            if (_batch.Count == 0)
            {
                return;
            }

            var work = _batch.ToArray();
            _batch.Clear();
            if (_failure is not null)
            {
                throw new InvalidOperationException("rasterising the ground truth failed: " + _failure.Message, _failure);
            }

            int sequence;
            lock (_done)
            {
                sequence = _done.Count;
                _done.Add(null);
            }

            _queue.Add((sequence, work));
            Drain();
        }

        /// <summary>
        /// Moves finished batches, in batch order, into the per-image lists (reader thread only), so
        /// results do not wait in two places until the end.
        /// </summary>
        private void Drain()
        {
            while (true)
            {
                (int ImageIndex, EvalObject Object)[]? batch;
                lock (_done)
                {
                    if (_drained == _done.Count || _done[_drained] is not { } finished)
                    {
                        return;
                    }

                    batch = finished;
                    _done[_drained++] = null;
                }

                foreach (var (imageIndex, obj) in batch)
                {
                    _objects[imageIndex].Add(obj);
                }
            }
        }

        private void Rasterise()
        {
            try
            {
                var store = new RleBlockStore();
                foreach (var (sequence, work) in _queue.GetConsumingEnumerable())
                {
                    var results = new (int, EvalObject)[work.Length];
                    for (var i = 0; i < work.Length; i++)
                    {
                        results[i] = (work[i].ImageIndex, ToEvalObject(work[i].Annotation, work[i].Image, iouType, store));
                    }

                    lock (_done)
                    {
                        _done[sequence] = results;
                    }
                }
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ex, null);

                // Keep draining so the reader never blocks on a full queue.
                foreach (var unused in _queue.GetConsumingEnumerable())
                {
                    _ = unused;
                }
            }
        }
    }
}
