using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.SdkTests.Servers;

/// <summary>
/// S3's REST API, path style, as documented: <c>PUT /{bucket}/{key}</c> (PutObject, the body plain or
/// <c>aws-chunked</c>) answers 200 with the object's MD5 as <c>ETag</c>; <c>GET /{bucket}/{key}</c> (GetObject)
/// answers the object with its <c>Content-Type</c>, <c>ETag</c> and <c>Last-Modified</c>, or the XML
/// <c>NoSuchKey</c> error; with <paramref name="failPuts"/> every PUT gets the XML <c>InternalError</c> 500.
/// </summary>
internal static class S3Wire
{
    public static async Task<(LoopbackServer Server, ConcurrentDictionary<string, (string ContentType, byte[] Body)> Objects)> StartAsync(bool failPuts = false)
    {
        var objects = new ConcurrentDictionary<string, (string ContentType, byte[] Body)>();
        var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPut("/{bucket}/{**key}", async (HttpContext context, string bucket, string key) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
                AmzHeaders(context);
                if (failPuts)
                {
                    await WriteErrorAsync(context, 500, "InternalError", "We encountered an internal error. Please try again.", $"/{bucket}/{key}");
                    return;
                }

                var body = context.Request.Headers.ContentEncoding.ToString().Contains("aws-chunked", StringComparison.Ordinal)
                    ? DecodeAwsChunked(buffer.ToArray())
                    : buffer.ToArray();
                objects[$"{bucket}/{key}"] = (context.Request.ContentType ?? "binary/octet-stream", body);
                context.Response.Headers.ETag = ETag(body);
                context.Response.StatusCode = 200;
            });
            app.MapGet("/{bucket}/{**key}", async (HttpContext context, string bucket, string key) =>
            {
                AmzHeaders(context);
                if (!objects.TryGetValue($"{bucket}/{key}", out var stored))
                {
                    await WriteErrorAsync(context, 404, "NoSuchKey", "The specified key does not exist.", $"/{bucket}/{key}");
                    return;
                }

                context.Response.ContentType = stored.ContentType;
                context.Response.ContentLength = stored.Body.Length;
                context.Response.Headers.ETag = ETag(stored.Body);
                context.Response.Headers.LastModified = "Wed, 01 Jan 2025 10:00:00 GMT";
                context.Response.Headers.AcceptRanges = "bytes";
                await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
            });
        });
        return (server, objects);
    }

#pragma warning disable CA5351 // S3's ETag of a single-part upload is the object's MD5: the wire format, not security.
    private static string ETag(byte[] body) => "\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"";
#pragma warning restore CA5351

    private static void AmzHeaders(HttpContext context)
    {
        context.Response.Headers["x-amz-request-id"] = "4442587FB7D0A2F9";
        context.Response.Headers["x-amz-id-2"] = "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=";
        context.Response.Headers.Server = "AmazonS3";
    }

    /// <summary>S3's documented XML error body.</summary>
    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message, string resource)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync(
            $"""<?xml version="1.0" encoding="UTF-8"?>{"\n"}<Error><Code>{code}</Code><Message>{message}</Message><Resource>{resource}</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>""",
            context.RequestAborted);
    }

    /// <summary>The payload of an <c>aws-chunked</c> body: hex size lines (with optional extensions), data, until size 0.</summary>
    private static byte[] DecodeAwsChunked(byte[] body)
    {
        using var payload = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = body.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var header = Encoding.ASCII.GetString(body, position, lineEnd);
            var size = Convert.ToInt32(header.Split(';')[0], 16);
            position += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            payload.Write(body, position, size);
            position += size + 2;
        }

        return payload.ToArray();
    }
}
