using System.Text;
using Razorvine.Pickle;
using static TorchSharp.torch;

namespace CellSeg.Models.Weights;

/// <summary>
/// Just enough of numpy's pickle protocol for weight files: arrays (<c>numpy.core.multiarray._reconstruct</c> +
/// state), their dtypes and scalars. detectron2's <c>.pkl</c> backbones are plain pickles of numpy arrays, and
/// detectron2 checkpoints may hold numpy values beside the state dict; without these constructors the pickle reader
/// stops at the first one.
/// </summary>
internal static class NumpyPickle
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Registers the constructors with the pickle reader (process-wide, once).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            foreach (var module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
            {
                Unpickler.registerConstructor(module, "_reconstruct", new Constructor(_ => new NumpyArray()));
                Unpickler.registerConstructor(module, "scalar", new Constructor(_ => new NumpyScalar()));
            }

            Unpickler.registerConstructor("numpy", "dtype", new Constructor(args => new NumpyDtype(args.Length > 0 ? args[0] as string ?? "?" : "?")));

            // Protocol 2 (torch.save's default) writes bytes as _codecs.encode(text, "latin1").
            Unpickler.registerConstructor("_codecs", "encode", new Constructor(args => Encoding.Latin1.GetBytes((string)args[0])));
            _registered = true;
        }
    }

    private sealed class Constructor(Func<object[], object> make) : IObjectConstructor
    {
        public object construct(object[] args) => make(args);
    }

    /// <summary>A numpy scalar (e.g. an iteration count): kept as an opaque value.</summary>
    internal sealed class NumpyScalar;

    /// <summary>A numpy dtype: its type code ("f4", "i8", …) and byte order.</summary>
    internal sealed class NumpyDtype(string code)
    {
        public string Code { get; } = code;

        public char ByteOrder { get; private set; } = '|';

        // numpy's dtype state: (version, byte order, subarray, names, fields, itemsize, alignment, flags).
        public void __setstate__(object[] state) => ByteOrder = state.Length > 1 && state[1] is string s && s.Length == 1 ? s[0] : '|';
    }

    /// <summary>A numpy array, filled by its pickle state.</summary>
    internal sealed class NumpyArray
    {
        private long[] _shape = [];
        private NumpyDtype? _dtype;
        private bool _fortran;
        private byte[]? _data;

        // numpy's ndarray state: (version, shape, dtype, is Fortran order, raw data).
        public void __setstate__(object[] state)
        {
            _shape = ((object[])state[1]).Select(Convert.ToInt64).ToArray();
            _dtype = (NumpyDtype)state[2];
            _fortran = Convert.ToBoolean(state[3]);
            _data = state[4] switch
            {
                byte[] b => b,
                string s => Encoding.Latin1.GetBytes(s),
                _ => null,
            };
        }

        /// <summary>The array as a tensor (a copy).</summary>
        /// <exception cref="NotSupportedException">An object array, big-endian data or a type torch has no counterpart for.</exception>
        public Tensor ToTensor()
        {
            if (_data is null || _dtype is null)
            {
                throw new NotSupportedException("a numpy array without raw data (an object array?)");
            }

            if (_dtype.ByteOrder == '>')
            {
                throw new NotSupportedException("a big-endian numpy array");
            }

            var type = _dtype.Code switch
            {
                "f4" => ScalarType.Float32,
                "f8" => ScalarType.Float64,
                "f2" => ScalarType.Float16,
                "i8" => ScalarType.Int64,
                "i4" => ScalarType.Int32,
                "i2" => ScalarType.Int16,
                "i1" => ScalarType.Int8,
                "u1" => ScalarType.Byte,
                "b1" => ScalarType.Bool,
                _ => throw new NotSupportedException($"numpy dtype '{_dtype.Code}'"),
            };
            var shape = _fortran ? _shape.Reverse().ToArray() : _shape;
            var t = empty(shape, type);
            if (t.NumberOfElements * t.ElementSize != _data.LongLength)
            {
                t.Dispose();
                throw new NotSupportedException($"numpy array of shape [{string.Join(", ", _shape)}] holds {_data.LongLength} bytes");
            }

            t.bytes = _data;
            if (!_fortran)
            {
                return t;
            }

            using (t)
            {
                return t.permute([.. Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i)]).contiguous();
            }
        }
    }
}
