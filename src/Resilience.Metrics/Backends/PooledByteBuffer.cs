using System.Buffers;

namespace Resilience.Metrics;

/// <summary>
/// Bytes collected from a body, in an array rented from the shared pool that doubles as it fills, never beyond a
/// limit. A mutable struct kept in a field and never copied (one object fewer per observed body).
/// </summary>
internal struct PooledByteBuffer(int initialBytes, int maxBytes)
{
    private byte[]? _array;

    /// <summary>Gets the bytes collected.</summary>
    public readonly ReadOnlySpan<byte> Written => _array.AsSpan(0, Length);

    /// <summary>Gets the number of bytes collected.</summary>
    public int Length { get; private set; }

    /// <summary>Gets the size of the array held now (0 when none).</summary>
    public readonly int Capacity => _array?.Length ?? 0;

    /// <summary>Gets the largest array this buffer ever held.</summary>
    public int PeakCapacity { get; private set; }

    /// <summary>Appends <paramref name="bytes"/>; <see langword="false"/>, with nothing appended, when the buffer would pass its limit.</summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes)
    {
        long needed = (long)Length + bytes.Length;
        if (needed > maxBytes)
        {
            return false;
        }

        if (Capacity < needed)
        {
            int size = (int)Math.Min(Math.Max(needed, _array is null ? initialBytes : _array.Length * 2L), maxBytes);
            byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
            if (_array is not null)
            {
                Written.CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_array);
            }

            _array = bigger;
            PeakCapacity = Math.Max(PeakCapacity, bigger.Length);
        }

        bytes.CopyTo(_array.AsSpan(Length));
        Length = (int)needed;
        return true;
    }

    /// <summary>Forgets the bytes collected and keeps the array.</summary>
    public void Clear() => Length = 0;

    /// <summary>Forgets the bytes collected and returns the array to the pool.</summary>
    public void Release()
    {
        byte[]? array = _array;
        _array = null;
        Length = 0;
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
