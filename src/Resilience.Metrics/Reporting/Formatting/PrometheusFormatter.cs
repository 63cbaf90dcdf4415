using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Resilience.Metrics;

/// <summary>
/// Every backend's report as one Prometheus text exposition (format 0.0.4): each family's <c># HELP</c> and
/// <c># TYPE</c> once, then that family's series for every backend, with the label <c>api</c> = backend name.
/// </summary>
/// <remarks>
/// The families, their names, types, help texts and values come from <see cref="MetricCatalog"/>. A family no backend
/// has a series for is left out. Written as UTF-8 straight into a buffer: this runs on every scrape.
/// </remarks>
internal static class PrometheusFormatter
{
    /// <summary>The content type of the exposition this formatter writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly SearchValues<char> LabelCharsToEscape = SearchValues.Create("\\\"\n");

    private static ReadOnlySpan<byte> Counter => "counter"u8;

    private static ReadOnlySpan<byte> Gauge => "gauge"u8;

    private static ReadOnlySpan<byte> HistogramType => "histogram"u8;

    // The le labels of the default bounds, formatted once ("0.005", "2.5", "300").
    private static readonly string[] DefaultLe = [.. DurationHistogram.DefaultUpperBounds.Select(b => b.ToString("R", CultureInfo.InvariantCulture))];

    /// <summary>The exposition as a string; it ends with a newline, or is empty when there are no reports.</summary>
    /// <exception cref="ArgumentException">Two reports have the same backend name.</exception>
    public static string Format(IReadOnlyList<MetricsReport> reports)
    {
        FormattingGuards.EnsureUniqueBackends(reports, nameof(reports));
        using var buffer = new PooledByteBufferWriter(EstimateSize(reports));
        WriteCore(reports, buffer);
        return buffer.ToUtf8String();
    }

    /// <summary>Writes the exposition as UTF-8 to <paramref name="output"/> (e.g. an HTTP response's pipe).</summary>
    /// <exception cref="ArgumentException">Two reports have the same backend name.</exception>
    public static void Write(IReadOnlyList<MetricsReport> reports, IBufferWriter<byte> output)
    {
        FormattingGuards.EnsureUniqueBackends(reports, nameof(reports));
        ArgumentNullException.ThrowIfNull(output);
        WriteCore(reports, output);
    }

    private static void WriteCore(IReadOnlyList<MetricsReport> reports, IBufferWriter<byte> output)
    {
        // Each family walks every report; foreach over the interface would box an enumerator each time, a span does not.
        switch (reports)
        {
            case MetricsReport[] array:
                WriteFamilies(array, output);
                break;
            case List<MetricsReport> list:
                WriteFamilies(CollectionsMarshal.AsSpan(list), output);
                break;
            default:
                var rented = ArrayPool<MetricsReport>.Shared.Rent(reports.Count);
                try
                {
                    for (var i = 0; i < reports.Count; i++)
                    {
                        rented[i] = reports[i];
                    }

                    WriteFamilies(rented.AsSpan(0, reports.Count), output);
                }
                finally
                {
                    ArrayPool<MetricsReport>.Shared.Return(rented, clearArray: true);
                }

                break;
        }
    }

    private static void WriteFamilies(ReadOnlySpan<MetricsReport> reports, IBufferWriter<byte> output)
    {
        // The catalogue is the one list of families, in the exposition's order.
        foreach (var metric in MetricCatalog.All)
        {
            var family = new Family(output, metric.NameUtf8, TypeName(metric.Kind), metric.HelpUtf8);
            foreach (var r in reports)
            {
                metric.Write(r, ref family);
            }
        }
    }

    private static ReadOnlySpan<byte> TypeName(MetricKind kind) => kind switch
    {
        MetricKind.Counter => Counter,
        MetricKind.Gauge => Gauge,
        _ => HistogramType,
    };

    private static int EstimateSize(IReadOnlyList<MetricsReport> reports)
    {
        // About 4.5 KB of series per backend and 0.6 KB per model; a good guess saves regrowing the buffer.
        var size = 4096;
        for (var i = 0; i < reports.Count; i++)
        {
            size += 4608 + (640 * reports[i].Models.Count);
            if (size > 1 << 20)
            {
                break;
            }
        }

        return size;
    }

    private static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> value)
    {
        // Label values escape backslash, double quote and line feed (\\ \" \n); everything else is plain UTF-8.
        while (!value.IsEmpty)
        {
            var index = value.IndexOfAny(LabelCharsToEscape);
            var run = index < 0 ? value : value[..index];
            if (!run.IsEmpty)
            {
                // Lone surrogates become U+FFFD here, so the exposition stays valid UTF-8.
                var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(run.Length));
                output.Advance(Encoding.UTF8.GetBytes(run, span));
            }

            if (index < 0)
            {
                return;
            }

            WriteRaw(output, value[index] switch
            {
                '\\' => "\\\\"u8,
                '"' => "\\\""u8,
                _ => "\\n"u8,
            });
            value = value[(index + 1)..];
        }
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A 64-bit integer did not fit in 20 bytes.");
        }

        output.Advance(written);
    }

    private static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        if (!double.IsFinite(value))
        {
            // NaN is never written (it would read as a real sample); infinities are Prometheus' own +Inf and -Inf.
            WriteRaw(output, double.IsNaN(value) ? "0"u8 : value > 0 ? "+Inf"u8 : "-Inf"u8);
            return;
        }

        // Shortest round-trip form ("R"); the longest is 24 bytes, e.g. -1.7976931348623157E+308.
        var span = output.GetSpan(32);
        if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit in 32 bytes.");
        }

        output.Advance(written);
    }

    /// <summary>
    /// Writes one family's series; the <c># HELP</c> and <c># TYPE</c> lines go out just before its first series,
    /// so an empty family writes nothing. Use as Start, Label..., End per series.
    /// </summary>
    internal ref struct Family
    {
        private readonly IBufferWriter<byte> _output;
        private readonly ReadOnlySpan<byte> _name;
        private readonly ReadOnlySpan<byte> _type;
        private readonly ReadOnlySpan<byte> _help;
        private bool _started;

        public Family(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> type, ReadOnlySpan<byte> help)
        {
            _output = output;
            _name = name;
            _type = type;
            _help = help;
        }

        public void Sample(string api, long value)
        {
            Start(api);
            End(value);
        }

        public void Sample(string api, double value)
        {
            Start(api);
            End(value);
        }

        // One series of a per-model family.
        public void Sample(string api, string model, long value)
        {
            Start(api);
            Label("model"u8, model);
            End(value);
        }

        public void Sample(string api, string model, double value)
        {
            Start(api);
            Label("model"u8, model);
            End(value);
        }

        /// <summary>One histogram's series: a bucket per bound, +Inf, sum and count.</summary>
        public void Histogram(string api, string? model, DurationHistogram histogram)
        {
            var bounds = histogram.UpperBounds;
            for (var i = 0; i <= bounds.Count; i++)
            {
                Start(api, "_bucket"u8);
                if (model is not null)
                {
                    Label("model"u8, model);
                }

                if (i == bounds.Count)
                {
                    Label("le"u8, "+Inf"u8);
                    End(histogram.Count);
                }
                else
                {
                    Label("le"u8, ReferenceEquals(bounds, DurationHistogram.DefaultUpperBounds) ? DefaultLe[i] : bounds[i].ToString("R", CultureInfo.InvariantCulture));
                    End(histogram.CumulativeCounts[i]);
                }
            }

            Start(api, "_sum"u8);
            if (model is not null)
            {
                Label("model"u8, model);
            }

            End(histogram.Sum);
            Start(api, "_count"u8);
            if (model is not null)
            {
                Label("model"u8, model);
            }

            End(histogram.Count);
        }

        public void Start(string api) => Start(api, default);

        public void Start(string api, ReadOnlySpan<byte> suffix)
        {
            if (!_started)
            {
                _started = true;
                WriteRaw(_output, "# HELP "u8);
                WriteRaw(_output, _name);
                WriteRaw(_output, " "u8);
                WriteRaw(_output, _help);
                WriteRaw(_output, "\n# TYPE "u8);
                WriteRaw(_output, _name);
                WriteRaw(_output, " "u8);
                WriteRaw(_output, _type);
                WriteRaw(_output, "\n"u8);
            }

            WriteRaw(_output, _name);
            WriteRaw(_output, suffix);
            WriteRaw(_output, "{api=\""u8);
            WriteEscaped(_output, api);
            WriteRaw(_output, "\""u8);
        }

        public readonly void Label(ReadOnlySpan<byte> name, string value)
        {
            WriteRaw(_output, ","u8);
            WriteRaw(_output, name);
            WriteRaw(_output, "=\""u8);
            WriteEscaped(_output, value);
            WriteRaw(_output, "\""u8);
        }

        // A constant value that needs no escaping.
        public readonly void Label(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            WriteRaw(_output, ","u8);
            WriteRaw(_output, name);
            WriteRaw(_output, "=\""u8);
            WriteRaw(_output, value);
            WriteRaw(_output, "\""u8);
        }

        public readonly void End(long value)
        {
            WriteRaw(_output, "} "u8);
            WriteNumber(_output, value);
            WriteRaw(_output, "\n"u8);
        }

        public readonly void End(double value)
        {
            WriteRaw(_output, "} "u8);
            WriteNumber(_output, value);
            WriteRaw(_output, "\n"u8);
        }
    }
}
