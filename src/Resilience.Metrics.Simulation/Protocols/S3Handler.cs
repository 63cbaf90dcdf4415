using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>S3 <c>GET</c> / <c>PUT /{bucket}/{key}</c> against an in-memory store, with S3's headers and XML errors.</summary>
internal sealed class S3Handler(bool put) : ApiHandler(ErrorDialect.S3)
{
    /// <summary>The bucket that exists from the start, holding <see cref="SeedKey"/>.</summary>
    public const string SeedBucket = "simulated-bucket";

    /// <summary>An object present from the start, so a plain GET succeeds.</summary>
    public const string SeedKey = "sample/object.json";

    private const long MaxObjectBytes = 16 * 1024 * 1024;

    public static void Seed(ServerState server)
    {
        var content = Text.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("description", "An object served by the simulated S3 backend.");
            w.WriteStartArray("values");
            for (var i = 0; i < 64; i++)
            {
                w.WriteNumberValue(i * i);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        Store(server, SeedBucket, SeedKey, content, "application/json");
    }

    public override string ContentType(Exchange exchange) => "application/octet-stream";

    public override async ValueTask ReadAsync(Exchange exchange)
    {
        var bucket = exchange.RouteValue("bucket");
        var key = exchange.RouteValue("key");
        if (key.Length == 0)
        {
            throw new BadRequestException(400, "An object key is required.");
        }

        if (put)
        {
            var request = exchange.Http.Request;
            if (request.ContentLength > MaxObjectBytes)
            {
                throw new BadRequestException(400, "Your proposed upload exceeds the maximum allowed size.", "EntityTooLarge");
            }

            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, exchange.Aborted).ConfigureAwait(false);
            exchange.State = buffer.ToArray();
            return;
        }

        if (!exchange.Server.Buckets.TryGetValue(bucket, out var objects))
        {
            throw new BadRequestException(404, "The specified bucket does not exist", "NoSuchBucket");
        }

        exchange.State = objects.TryGetValue(key, out var stored)
            ? stored
            : throw new BadRequestException(404, "The specified key does not exist.", "NoSuchKey");
    }

    public override async Task RespondAsync(Exchange exchange)
    {
        var response = exchange.Http.Response;
        response.Headers["x-amz-request-id"] = exchange.NewId("SIM");
        if (put)
        {
            var request = exchange.Http.Request;
            var stored = Store(
                exchange.Server,
                exchange.RouteValue("bucket"),
                exchange.RouteValue("key"),
                (byte[])exchange.State!,
                request.ContentType ?? "binary/octet-stream");
            response.Headers.ETag = stored.ETag;
            response.StatusCode = 200;
            response.ContentLength = 0;
            if (exchange.TruncateAfterChunks is not null)
            {
                throw new TruncatedException();
            }

            return;
        }

        var found = (StoredObject)exchange.State!;
        response.Headers.ETag = found.ETag;
        response.Headers.LastModified = found.LastModified.ToString("R", CultureInfo.InvariantCulture);
        response.Headers.AcceptRanges = "bytes";
        await exchange.SendAsync(found.Content, found.ContentType).ConfigureAwait(false);
    }

    private static StoredObject Store(ServerState server, string bucket, string key, byte[] content, string contentType)
    {
#pragma warning disable CA5351 // S3's ETag of a single-part upload is the MD5 of the content: realism, not security
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"").ToString();
#pragma warning restore CA5351
        var stored = new StoredObject(content, contentType, etag, server.Time.GetUtcNow());
        server.Buckets.GetOrAdd(bucket, _ => new ConcurrentDictionary<string, StoredObject>(StringComparer.Ordinal))[key] = stored;
        return stored;
    }
}
