using System.Globalization;
using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>Which TGI route a <see cref="TgiHandler"/> serves.</summary>
internal enum TgiRoute
{
    /// <summary><c>POST /generate</c>: one object, <c>details</c> when <c>parameters.details</c> is true.</summary>
    Generate,

    /// <summary><c>POST /generate_stream</c>: SSE token events, the last with <c>generated_text</c> and <c>details</c>.</summary>
    GenerateStream,

    /// <summary><c>POST /</c> (the compatibility route): an array of one object, or SSE when <c>"stream": true</c>.</summary>
    Compat,
}

/// <summary>Hugging Face Text Generation Inference's native routes.</summary>
internal sealed class TgiHandler(TgiRoute route) : ApiHandler(ErrorDialect.Tgi)
{
    public override async ValueTask ReadAsync(Exchange exchange)
    {
        var body = await ReadObjectAsync(exchange).ConfigureAwait(false);
        var inputs = String(body, "inputs");
        if (string.IsNullOrWhiteSpace(inputs))
        {
            throw new BadRequestException(422, "Input validation error: `inputs` cannot be empty");
        }

        var parameters = Property(body, "parameters");
        exchange.Model = String(body, "model") ?? "tgi";
        exchange.PromptTokens = Text.CountWords(inputs);
        exchange.Stream = route == TgiRoute.GenerateStream || (route == TgiRoute.Compat && Bool(body, "stream") == true);
        exchange.Details = Bool(parameters, "details") == true; // a stream's last event always has details

        exchange.LimitCompletion(Int(parameters, "max_new_tokens"));
    }

    public override Task RespondAsync(Exchange exchange)
    {
        if (exchange.Stream)
        {
            return StreamAsync(exchange);
        }

        var headers = exchange.Http.Response.Headers;
        headers["x-compute-type"] = "simulated";
        headers["x-prompt-tokens"] = exchange.PromptTokens.ToString(CultureInfo.InvariantCulture);
        headers["x-generated-tokens"] = exchange.CompletionTokens.ToString(CultureInfo.InvariantCulture);
        var generated = Text.Json(w => WriteGenerated(w, exchange, withDetails: exchange.Details));
        return exchange.SendAsync(route == TgiRoute.Compat ? [(byte)'[', .. generated, (byte)']'] : generated);
    }

    private static string FinishReason(Exchange exchange) => exchange.LengthLimited ? "length" : "eos_token";

    private static void WriteGenerated(Utf8JsonWriter w, Exchange exchange, bool withDetails)
    {
        w.WriteStartObject();
        w.WriteString("generated_text", Text.Completion(exchange.CompletionTokens));
        if (withDetails)
        {
            w.WriteStartObject("details");
            w.WriteString("finish_reason", FinishReason(exchange));
            w.WriteNumber("generated_tokens", exchange.CompletionTokens);
            w.WriteNull("seed");
            w.WriteStartArray("prefill");
            w.WriteEndArray();
            w.WriteStartArray("tokens");
            for (var i = 0; i < exchange.CompletionTokens; i++)
            {
                WriteToken(w, i, Text.Token(i), special: false, name: null);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static async Task StreamAsync(Exchange exchange)
    {
        exchange.Http.Response.Headers["x-accel-buffering"] = "no";
        await exchange.StartStreamAsync("text/event-stream").ConfigureAwait(false);
        var count = Math.Max(1, exchange.CompletionTokens);
        for (var i = 0; i < count; i++)
        {
            var last = i == count - 1;
            var empty = exchange.CompletionTokens == 0;
            var json = Text.Json(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("index", i + 1);
                WriteToken(w, i, empty ? "" : Text.Token(i), special: empty, name: "token");
                if (last)
                {
                    w.WriteString("generated_text", Text.Completion(exchange.CompletionTokens));
                    w.WriteStartObject("details");
                    w.WriteString("finish_reason", FinishReason(exchange));
                    w.WriteNumber("generated_tokens", exchange.CompletionTokens);
                    w.WriteNull("seed");
                    w.WriteNumber("input_length", exchange.PromptTokens);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("generated_text");
                    w.WriteNull("details");
                }

                w.WriteNull("top_tokens");
                w.WriteEndObject();
            });
            await exchange.SendChunkAsync(Text.Sse(json, separator: "data:")).ConfigureAwait(false);
        }
    }

    private static void WriteToken(Utf8JsonWriter w, int index, string text, bool special, string? name)
    {
        if (name is null)
        {
            w.WriteStartObject();
        }
        else
        {
            w.WriteStartObject(name);
        }

        w.WriteNumber("id", special ? 2 : 1000 + (index % 997));
        w.WriteString("text", text);
        w.WriteNumber("logprob", -0.25);
        w.WriteBoolean("special", special);
        w.WriteEndObject();
    }
}
