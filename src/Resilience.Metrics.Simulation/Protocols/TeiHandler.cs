using System.Globalization;
using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>Hugging Face Text Embeddings Inference, <c>POST /embed</c>: <c>[[float, ...], ...]</c>, one vector per input.</summary>
internal sealed class TeiHandler() : ApiHandler(ErrorDialect.Tei)
{
    /// <summary>The embedding size of bge-small-en.</summary>
    public const int Dimensions = 384;

    public override async ValueTask ReadAsync(Exchange exchange)
    {
        var body = await ReadObjectAsync(exchange).ConfigureAwait(false);
        var inputs = Inputs(Property(body, "inputs"));
        exchange.Model = String(body, "model") ?? "";
        exchange.PromptTokens = inputs.Sum(Text.CountWords);
        exchange.LimitCompletion(0);
    }

    public override Task RespondAsync(Exchange exchange)
    {
        var inputs = Inputs(Property(exchange.Body, "inputs"));
        var normalize = Bool(exchange.Body, "normalize") ?? true;
        var headers = exchange.Http.Response.Headers;
        headers["x-compute-type"] = "simulated";
        headers["x-compute-tokens"] = exchange.PromptTokens.ToString(CultureInfo.InvariantCulture);
        return exchange.SendAsync(Text.Json(w =>
        {
            w.WriteStartArray();
            foreach (var input in inputs)
            {
                w.WriteStartArray();
                foreach (var value in Embed(input, normalize))
                {
                    w.WriteNumberValue(value);
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
        }));
    }

    /// <summary>A deterministic embedding of <paramref name="input"/>: the same text always gives the same vector.</summary>
    internal static float[] Embed(string input, bool normalize)
    {
        var random = new Random(Text.StableHash(input));
        var vector = new float[Dimensions];
        double norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
            norm += vector[i] * vector[i];
        }

        if (normalize && norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] *= scale;
            }
        }

        return vector;
    }

    private static List<string> Inputs(JsonElement inputs)
    {
        var list = new List<string>();
        if (inputs.ValueKind == JsonValueKind.String)
        {
            list.Add(inputs.GetString()!);
        }
        else if (inputs.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in inputs.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw new BadRequestException(422, "Input validation error: `inputs` must be a string or an array of strings");
                }

                list.Add(item.GetString()!);
            }
        }

        if (list.Count == 0 || list.Exists(string.IsNullOrEmpty))
        {
            throw new BadRequestException(422, "Input validation error: `inputs` cannot be empty");
        }

        return list;
    }
}
