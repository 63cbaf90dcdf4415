using System.Net;
using System.Threading.Channels;

namespace Resilience.Metrics.Tests;

/// <summary>A network-like body: not seekable, each read returns at most what is left of the current chunk.</summary>
internal sealed class ChunkedReadStream : Stream
{
    private readonly byte[] _data;
    private readonly int _chunkSize;
    private readonly int _failAtOffset;
    private readonly Exception? _failure;
    private int _position;

    public ChunkedReadStream(byte[] data, int chunkSize = 4096, int failAtOffset = -1, Exception? failure = null)
    {
        _data = data;
        _chunkSize = chunkSize;
        _failAtOffset = failAtOffset;
        _failure = failure;
    }

    public bool Disposed { get; private set; }

    public int ReadCalls { get; private set; }

    public override bool CanRead => !Disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        ReadCalls++;
        if (_failure is not null && _position >= _failAtOffset)
        {
            throw _failure;
        }

        int chunkEnd = Math.Min(_data.Length, ((_position / _chunkSize) + 1) * _chunkSize);
        if (_failure is not null)
        {
            chunkEnd = Math.Min(chunkEnd, _failAtOffset);
        }

        int count = Math.Min(buffer.Length, chunkEnd - _position);
        _data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return Read(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>A body whose reads wait until the test releases the next chunk, like a server streaming tokens.</summary>
internal sealed class GatedStream : Stream
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private byte[] _current = [];
    private int _offset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public void Release(byte[] chunk) => _chunks.Writer.TryWrite(chunk);

    public void End() => _chunks.Writer.TryComplete();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_offset == _current.Length)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            _current = await _chunks.Reader.ReadAsync(cancellationToken);
            _offset = 0;
        }

        int count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Content that records its disposal.</summary>
internal sealed class TrackingStreamContent : StreamContent
{
    public TrackingStreamContent(Stream content)
        : base(content)
    {
    }

    public bool Disposed { get; private set; }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

internal static class TestResponses
{
    public static HttpResponseMessage Create(HttpContent content, string? contentType, string url = "https://api.example.com/v1/run")
    {
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = content,
            RequestMessage = new HttpRequestMessage(HttpMethod.Post, url),
        };
    }

    public static HttpResponseMessage Streamed(byte[] body, string contentType, string url = "https://api.example.com/v1/run", int chunkSize = 4096) =>
        Create(new TrackingStreamContent(new ChunkedReadStream(body, chunkSize)), contentType, url);
}
