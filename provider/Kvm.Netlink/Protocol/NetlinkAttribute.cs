using System.Buffers.Binary;
using System.Text;

namespace Kvm.Netlink.Protocol;

/// <summary>One attribute (struct nlattr + value). The getters check the value's size before reading.</summary>
public readonly ref struct NetlinkAttribute
{
    public const int HeaderSize = 4;
    public const ushort NestedFlag = 0x8000;
    public const ushort NetworkByteOrderFlag = 0x4000;
    private const ushort TypeMask = 0x3fff;

    /// <summary>nla_type with the NESTED and NET_BYTEORDER bits.</summary>
    public ushort RawType { get; }
    public ReadOnlySpan<byte> Value { get; }

    public NetlinkAttribute(ushort rawType, ReadOnlySpan<byte> value)
    {
        RawType = rawType;
        Value = value;
    }

    /// <summary>The attribute type without the flag bits (what the kernel's nla_type() returns).</summary>
    public ushort Type => (ushort)(RawType & TypeMask);
    public bool IsNested => (RawType & NestedFlag) != 0;

    public byte GetByte() => Need(1)[0];
    public ushort GetUInt16() => NativeEndian.ReadUInt16(Need(2));
    public uint GetUInt32() => NativeEndian.ReadUInt32(Need(4));
    public int GetInt32() => NativeEndian.ReadInt32(Need(4));
    public ulong GetUInt64() => NativeEndian.ReadUInt64(Need(8));
    public ushort GetUInt16BigEndian() => BinaryPrimitives.ReadUInt16BigEndian(Need(2));

    /// <summary>A C string: up to the first NUL (the kernel includes it), invalid UTF-8 replaced, never thrown.</summary>
    public string GetString()
    {
        var end = Value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? Value : Value[..end]);
    }

    /// <summary>The attributes inside a nested attribute. The kernel does not always set NLA_F_NESTED, so it is not required.</summary>
    public NetlinkAttributeReader GetNested() => new(Value);

    private ReadOnlySpan<byte> Need(int size)
    {
        if (Value.Length < size)
            ThrowHelper.Decode($"attribute {Type} has {Value.Length} bytes, {size} needed");
        return Value;
    }
}
