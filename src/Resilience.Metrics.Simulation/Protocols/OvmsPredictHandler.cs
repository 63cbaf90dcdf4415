using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>
/// OpenVINO Model Server's TF-Serving-compatible <c>POST /v1/models/{model}:predict</c>:
/// row format <c>{"instances":[...]}</c> → <c>{"predictions":[...]}</c>, or column format
/// <c>{"inputs":...}</c> → <c>{"outputs":...}</c>. Each prediction is a deterministic 5-class probability vector.
/// </summary>
internal sealed class OvmsPredictHandler() : ApiHandler(ErrorDialect.TfServing)
{
    private const int Classes = 5;

    public override async ValueTask ReadAsync(Exchange exchange)
    {
        var target = exchange.RouteValue("target");
        var colon = target.LastIndexOf(':');
        exchange.Model = colon < 0 ? target : target[..colon];
        if (colon < 0 || target[(colon + 1)..] != "predict")
        {
            throw new BadRequestException(404, "Model with requested name is not found");
        }

        var body = await ReadObjectAsync(exchange).ConfigureAwait(false);
        var instances = Property(body, "instances");
        var inputs = Property(body, "inputs");
        if (instances.ValueKind != JsonValueKind.Array && inputs.ValueKind == JsonValueKind.Undefined)
        {
            throw new BadRequestException(400, "Missing 'instances' or 'inputs' key");
        }

        exchange.LimitCompletion(0);
    }

    public override Task RespondAsync(Exchange exchange)
    {
        var instances = Property(exchange.Body, "instances");
        return exchange.SendAsync(Text.Json(w =>
        {
            w.WriteStartObject();
            if (instances.ValueKind == JsonValueKind.Array)
            {
                w.WriteStartArray("predictions");
                foreach (var instance in instances.EnumerateArray())
                {
                    WriteScores(w, exchange.Model, instance);
                }

                w.WriteEndArray();
            }
            else
            {
                w.WritePropertyName("outputs");
                WriteScores(w, exchange.Model, Property(exchange.Body, "inputs"));
            }

            w.WriteEndObject();
        }));
    }

    private static void WriteScores(Utf8JsonWriter w, string model, JsonElement input)
    {
        var random = new Random(Text.StableHash(model + input.GetRawText()));
        var scores = new double[Classes];
        for (var i = 0; i < Classes; i++)
        {
            scores[i] = Math.Exp(random.NextDouble() * 4);
        }

        var sum = scores.Sum();
        w.WriteStartArray();
        foreach (var score in scores)
        {
            w.WriteNumberValue(Math.Round(score / sum, 6));
        }

        w.WriteEndArray();
    }
}
