namespace Resilience.Metrics.Tests.Collection;

public class RequestTraceTests
{
    [Fact]
    public void A_random_trace_id_is_32_lower_case_hex_digits_and_stays_the_same()
    {
        var trace = new RequestTrace(traceId: null, "openai");

        var id = trace.TraceId;

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Same(id, trace.TraceId);
        Assert.NotEqual(id, new RequestTrace(traceId: null, "openai").TraceId);
    }

    [Fact]
    public void A_given_trace_id_is_kept()
    {
        var trace = new RequestTrace("4bf92f3577b34da6a3ce929d0e0e4736", "openai");

        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", trace.TraceId);
        Assert.Equal(trace, new RequestTrace { TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", Backend = "openai" });
    }

    [Fact]
    public void Equality_does_not_depend_on_whether_the_id_was_formatted_yet()
    {
        var trace = new RequestTrace(traceId: null, "groq") { Model = "llama", Latency = 12.5, Success = true };
        var copy = trace with { };

        _ = trace.TraceId;   // formats the original's id; the copy's is still unformatted

        Assert.Equal(trace, copy);
        Assert.Equal(trace.GetHashCode(), copy.GetHashCode());
        Assert.NotEqual(trace, copy with { Latency = 13 });
        Assert.NotEqual(trace, new RequestTrace(traceId: null, "groq") { Model = "llama", Latency = 12.5, Success = true });
    }
}
