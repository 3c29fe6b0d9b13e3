using System.Diagnostics;

namespace CellSeg.Bench.Infrastructure;

/// <summary>
/// One progress line on stderr for a long step: redrawn in place on a terminal, printed every 10 %
/// when stderr goes to a file, so logs stay short. Figures go to stdout and are never mixed with it.
/// </summary>
internal sealed class ProgressLine
{
    private readonly string _label;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly Lock _gate = new();
    private long _lastDraw = -1;
    private int _lastDecile = -1;
    private bool _drawn;

    public ProgressLine(string label) => _label = label;

    /// <summary>Shows how far the step has come (fraction 0..1) with a short detail text.</summary>
    public void Report(double fraction, string detail)
    {
        lock (_gate)
        {
            var elapsed = _clock.ElapsedMilliseconds;
            var decile = (int)Math.Floor(Math.Clamp(fraction, 0, 1) * 10);
            if (_interactive)
            {
                if (_lastDraw >= 0 && elapsed - _lastDraw < 250)
                {
                    return;
                }

                _lastDraw = elapsed;
                var text = $"  {_label}: {fraction,6:P1}  {detail}  {elapsed / 1000.0:F1} s";
                Console.Error.Write("\r" + text.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 100, 120)));
                _drawn = true;
            }
            else if (decile > _lastDecile)
            {
                _lastDecile = decile;
                Console.Error.WriteLine($"  {_label}: {decile * 10,3}%  {detail}  {elapsed / 1000.0:F1} s");
            }
        }
    }

    /// <summary>Ends the line so the next output starts on a fresh one.</summary>
    public void Done()
    {
        lock (_gate)
        {
            if (_interactive && _drawn)
            {
                Console.Error.WriteLine();
                _drawn = false;
            }
        }
    }
}
