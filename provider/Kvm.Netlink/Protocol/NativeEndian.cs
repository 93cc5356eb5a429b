using System.Runtime.InteropServices;

namespace Kvm.Netlink.Protocol;

/// <summary>Netlink speaks the host's byte order; these helpers keep that explicit at every call site.</summary>
internal static class NativeEndian
{
    public static ushort ReadUInt16(ReadOnlySpan<byte> source) => MemoryMarshal.Read<ushort>(source);
    public static uint ReadUInt32(ReadOnlySpan<byte> source) => MemoryMarshal.Read<uint>(source);
    public static int ReadInt32(ReadOnlySpan<byte> source) => MemoryMarshal.Read<int>(source);
    public static ulong ReadUInt64(ReadOnlySpan<byte> source) => MemoryMarshal.Read<ulong>(source);

    public static void Write(Span<byte> destination, ushort value) => MemoryMarshal.Write(destination, in value);
    public static void Write(Span<byte> destination, uint value) => MemoryMarshal.Write(destination, in value);
    public static void Write(Span<byte> destination, int value) => MemoryMarshal.Write(destination, in value);
    public static void Write(Span<byte> destination, ulong value) => MemoryMarshal.Write(destination, in value);
}
