using System.Net;
using BenchmarkDotNet.Attributes;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Profiling aid for suite 2's body share: each step the monitoring takes on the in-memory request and response of
/// <see cref="HttpClientBenchmarks"/> (230-byte OpenAI response, request naming its model), alone.
/// </summary>
[MemoryDiagnoser]
public class BodyBreakdownBenchmarks
{
    private static readonly Uri Endpoint = new("http://bench.local/v1/chat/completions");
    private readonly HttpUsageExtractor _usage = new();
    private HttpRequestMessage _request = null!;
    private HttpResponseMessage _response = null!;

    [GlobalSetup]
    public void Setup()
    {
        var content = new ByteArrayContent(BenchData.RequestJson);
        content.Headers.ContentType = BenchData.Json;
        _request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        var body = new ByteArrayContent(BenchData.ResponseJson);
        body.Headers.ContentType = BenchData.Json;
        _response = new HttpResponseMessage(HttpStatusCode.OK) { Content = body, RequestMessage = _request };
    }

    [Benchmark(Description = "detect the format from the URL")]
    public ApiFormat Detect() => ApiFormatDetector.Detect(Endpoint);

    [Benchmark(Description = "request: format, model (URL and body)")]
    public string? RequestModel()
    {
        var format = _usage.ResolveFormat(_request);
        return _usage.ContentToBuffer(_request, format) is null ? _usage.GetRequestModel(_request, format) : null;
    }

    [Benchmark(Description = "request body's model alone (JSON)")]
    public string? RequestModelJson() => ModelExtractor.FromJsonBody(BenchData.RequestJson);

    [Benchmark(Description = "response: InspectResponseAsync (headers, in-place read)")]
    public long InspectResponse()
    {
        // An in-memory JSON body is read in place: the ValueTask has completed.
        var reading = _usage.InspectResponseAsync(_response, ApiFormat.OpenAI, static _ => (IResponseBodySink?)null, 0, BenchData.Model, out _, CancellationToken.None);
        return reading.IsCompletedSuccessfully ? reading.Result.PromptTokens : -1;
    }

    [Benchmark(Description = "response JSON read alone, whole body (ResponseUsageReader.TryReadComplete: head to the model, tail from the usage key)")]
    public long ResponseScan() => ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, BenchData.ResponseJson, out var usage, readModel: true, BenchData.Model) ? usage.PromptTokens : -1;

    [Benchmark(Description = "response JSON read alone, full validating pass (ResponseUsageReader.TryRead)")]
    public long ResponseScanFull() => ResponseUsageReader.TryRead(ApiFormat.OpenAI, BenchData.ResponseJson, out var usage, readModel: true, BenchData.Model) ? usage.PromptTokens : -1;

    [Benchmark(Description = "section 6.1's 1 KB response read alone, whole body (TryReadComplete)")]
    public long ResponseScan1K() => ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, BodyData.ChatCompletionJson, out var usage, readModel: true, "gpt-4o-2024-08-06") ? usage.PromptTokens : -1;

    [Benchmark(Description = "section 6.1's 1 KB response read alone, full validating pass (TryRead)")]
    public long ResponseScan1KFull() => ResponseUsageReader.TryRead(ApiFormat.OpenAI, BodyData.ChatCompletionJson, out var usage, readModel: true, "gpt-4o-2024-08-06") ? usage.PromptTokens : -1;

    [Benchmark(Baseline = true, Description = "a validating Utf8JsonReader pass over the response, nothing matched")]
    public int ReaderPass()
    {
        var reader = new System.Text.Json.Utf8JsonReader(BenchData.ResponseJson);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }
}
