using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Torch;

/// <summary>
/// Tensor arithmetic whose scalars stay alive across the native call (see <see cref="Scalars"/>).
/// TorchSharp's <c>a + b</c>, <c>add(b)</c> and <c>add(s)</c> pass an implicit alpha of 1 that nothing holds, so
/// additions go through <see cref="Plus(Tensor, Tensor)"/>; a number goes through the overload of its C# type,
/// which creates the same scalar type the operator would (an <c>int</c> keeps an int64 tensor integral).
/// Subtraction, multiplication, division and comparisons of two tensors are safe as operators.
/// </summary>
public static class HeldArithmetic
{
    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);

    /// <summary><c>a + s</c> for a held scalar.</summary>
    public static Tensor Plus(this Tensor a, Scalar s) => a.add(s, Scalars.One);

    /// <summary><c>a + value</c> (integer scalar).</summary>
    public static Tensor Plus(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.add(s, Scalars.One);
    }

    /// <summary><c>a + value</c> (floating-point scalar).</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.add(s, Scalars.One);
    }

    /// <summary><c>a += b</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, Scalars.One);

    /// <summary><c>a += value</c>, in place (integer scalar).</summary>
    public static Tensor PlusInPlace(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.add_(s, Scalars.One);
    }

    /// <summary><c>a += value</c>, in place (floating-point scalar).</summary>
    public static Tensor PlusInPlace(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.add_(s, Scalars.One);
    }

    /// <summary><c>a - value</c> (integer scalar).</summary>
    public static Tensor Minus(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.sub(s);
    }

    /// <summary><c>a - value</c> (floating-point scalar).</summary>
    public static Tensor Minus(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.sub(s);
    }

    /// <summary><c>a - value</c> (single-precision scalar).</summary>
    public static Tensor Minus(this Tensor a, float value)
    {
        using var s = Scalars.Of(value);
        return a.sub(s);
    }

    /// <summary><c>value - a</c> (integer scalar), as TorchSharp's <c>value - a</c> computes it: <c>-a + value</c>.</summary>
    public static Tensor Subtracted(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        using var negated = a.neg();
        return negated.add(s, Scalars.One);
    }

    /// <summary><c>value - a</c> (floating-point scalar): <c>-a + value</c>.</summary>
    public static Tensor Subtracted(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        using var negated = a.neg();
        return negated.add(s, Scalars.One);
    }

    /// <summary><c>a * value</c> (integer scalar).</summary>
    public static Tensor Times(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.mul(s);
    }

    /// <summary><c>a * value</c> (floating-point scalar).</summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.mul(s);
    }

    /// <summary><c>a * value</c> (single-precision scalar).</summary>
    public static Tensor Times(this Tensor a, float value)
    {
        using var s = Scalars.Of(value);
        return a.mul(s);
    }

    /// <summary><c>a *= value</c>, in place.</summary>
    public static Tensor TimesInPlace(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.mul_(s);
    }

    /// <summary><c>a / value</c> (true division; integer scalar).</summary>
    public static Tensor Over(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.div(s);
    }

    /// <summary><c>a / value</c> (floating-point scalar).</summary>
    public static Tensor Over(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.div(s);
    }

    /// <summary><c>a / value</c> (single-precision scalar).</summary>
    public static Tensor Over(this Tensor a, float value)
    {
        using var s = Scalars.Of(value);
        return a.div(s);
    }

    /// <summary><c>a²</c> (TorchSharp's <c>square()</c> is <c>pow(2)</c> with an unheld 2).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(Scalars.Two);

    /// <summary><c>a &gt; value</c>.</summary>
    public static Tensor Above(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.gt(s);
    }

    /// <summary><c>a &gt; value</c> (integer scalar: an integer tensor is compared without a cast to floating point).</summary>
    public static Tensor Above(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.gt(s);
    }

    /// <summary><c>a &gt;= value</c>.</summary>
    public static Tensor AtLeast(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.ge(s);
    }

    /// <summary><c>a &gt;= value</c> (integer scalar: an integer tensor is compared without a cast to floating point).</summary>
    public static Tensor AtLeast(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.ge(s);
    }

    /// <summary><c>a &lt; value</c>.</summary>
    public static Tensor Below(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.lt(s);
    }

    /// <summary><c>a &lt; value</c> (integer scalar: an integer tensor is compared without a cast to floating point).</summary>
    public static Tensor Below(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.lt(s);
    }

    /// <summary><c>a &lt;= value</c>.</summary>
    public static Tensor AtMost(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.le(s);
    }

    /// <summary><c>a &lt;= value</c> (integer scalar: an integer tensor is compared without a cast to floating point).</summary>
    public static Tensor AtMost(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.le(s);
    }

    /// <summary><c>a == value</c>.</summary>
    public static Tensor EqualTo(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.eq(s);
    }

    /// <summary><c>a == value</c> (integer scalar: an integer tensor is compared without a cast to floating point).</summary>
    public static Tensor EqualTo(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.eq(s);
    }

    /// <summary><c>a != value</c>.</summary>
    public static Tensor NotEqualTo(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.ne(s);
    }

    /// <summary><c>a != value</c> (integer scalar).</summary>
    public static Tensor NotEqualTo(this Tensor a, long value)
    {
        using var s = Scalars.Of(value);
        return a.ne(s);
    }

    /// <summary><c>clamp(a, min)</c>.</summary>
    public static Tensor ClampMin(this Tensor a, double min)
    {
        using var s = Scalars.Of(min);
        return a.clamp_min(s);
    }

    /// <summary><c>clamp(a, min)</c> (integer scalar: an integer tensor stays integral).</summary>
    public static Tensor ClampMin(this Tensor a, long min)
    {
        using var s = Scalars.Of(min);
        return a.clamp_min(s);
    }

    /// <summary><c>clamp(a, min, max)</c>.</summary>
    public static Tensor ClampTo(this Tensor a, double min, double max)
    {
        using var low = Scalars.Of(min);
        using var high = Scalars.Of(max);
        return a.clamp(low, high);
    }

    /// <summary><c>clamp(a, min, max)</c> (integer scalars: an integer tensor stays integral).</summary>
    public static Tensor ClampTo(this Tensor a, long min, long max)
    {
        using var low = Scalars.Of(min);
        using var high = Scalars.Of(max);
        return a.clamp(low, high);
    }

    /// <summary><c>a.masked_fill(mask, value)</c>.</summary>
    public static Tensor MaskedFill(this Tensor a, Tensor mask, double value)
    {
        using var s = Scalars.Of(value);
        return a.masked_fill(mask, s);
    }

    /// <summary><c>a.fill_(value)</c>.</summary>
    public static Tensor FillWith(this Tensor a, double value)
    {
        using var s = Scalars.Of(value);
        return a.fill_(s);
    }

    /// <summary>A 1-D tensor of <paramref name="size"/> copies of <paramref name="value"/>.</summary>
    public static Tensor Full(long size, double value, ScalarType dtype, Device? device = null)
    {
        using var s = Scalars.Of(value);
        return full(size, s, dtype: dtype, device: device);
    }

    /// <summary>A 1-D tensor of <paramref name="size"/> copies of the integer <paramref name="value"/>.</summary>
    public static Tensor Full(long size, long value, ScalarType dtype, Device? device = null)
    {
        using var s = Scalars.Of(value);
        return full(size, s, dtype: dtype, device: device);
    }

    /// <summary>0, 1, …, <paramref name="stop"/> − 1 (TorchSharp's <c>arange(long)</c> converts through an unheld scalar).</summary>
    public static Tensor Range(long stop, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        using var end = Scalars.Of(stop);
        return arange(Scalars.Zero, end, Scalars.One, dtype: dtype, device: device);
    }

    /// <summary><paramref name="start"/>, start + step, … below <paramref name="stop"/>.</summary>
    public static Tensor Range(long start, long stop, long step, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        using var first = Scalars.Of(start);
        using var end = Scalars.Of(stop);
        using var by = Scalars.Of(step);
        return arange(first, end, by, dtype: dtype, device: device);
    }
}
