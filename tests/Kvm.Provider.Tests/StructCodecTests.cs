using Google.Protobuf.WellKnownTypes;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests;

public class StructCodecTests
{
    [Theory]
    [InlineData(Sentinels.Unknown)]
    [InlineData(Sentinels.UnknownBool)]
    [InlineData(Sentinels.UnknownNumber)]
    [InlineData(Sentinels.UnknownArray)]
    [InlineData(Sentinels.UnknownObject)]
    public void Every_unknown_sentinel_decodes_as_unknown(string sentinel)
    {
        Assert.IsType<UnknownValue>(StructCodec.Decode(Value.ForString(sentinel)));
    }

    [Fact]
    public void Secrets_decode_and_encode_with_the_signature()
    {
        var wire = Value.ForStruct(new Struct
        {
            Fields = { [Sentinels.SpecialKey] = Value.ForString(Sentinels.SecretSig), ["value"] = Value.ForString("hunter2") },
        });
        var decoded = StructCodec.Decode(wire);
        Assert.Equal(new SecretValue(PropertyValue.Of("hunter2")), decoded);
        Assert.Equal(wire, StructCodec.Encode(decoded));
    }

    [Fact]
    public void Output_values_become_their_value_or_unknown_and_keep_secrecy()
    {
        Value Output(Value? v, bool secret)
        {
            var s = new Struct { Fields = { [Sentinels.SpecialKey] = Value.ForString(Sentinels.OutputValueSig), ["secret"] = Value.ForBool(secret) } };
            if (v is not null) s.Fields["value"] = v;
            return Value.ForStruct(s);
        }
        Assert.Equal(PropertyValue.Of("x"), StructCodec.Decode(Output(Value.ForString("x"), false)));
        Assert.IsType<UnknownValue>(StructCodec.Decode(Output(null, false)));
        Assert.Equal(PropertyValue.Secret(PropertyValue.Of(3)), StructCodec.Decode(Output(Value.ForNumber(3), true)));
    }

    [Fact]
    public void Resource_references_stand_for_their_id()
    {
        var reference = Value.ForStruct(new Struct
        {
            Fields =
            {
                [Sentinels.SpecialKey] = Value.ForString(Sentinels.ResourceReferenceSig),
                ["urn"] = Value.ForString("urn:pulumi:dev::lab::kvm:index:Bridge::br"),
                ["id"] = Value.ForString("br0"),
            },
        });
        Assert.Equal(PropertyValue.Of("br0"), StructCodec.Decode(reference));
    }

    [Fact]
    public void Assets_are_refused_with_the_path()
    {
        var s = new Struct
        {
            Fields =
            {
                ["file"] = Value.ForStruct(new Struct { Fields = { [Sentinels.SpecialKey] = Value.ForString(Sentinels.AssetSig), ["path"] = Value.ForString("/x") } }),
            },
        };
        var e = Assert.Throws<PropertyValueException>(() => StructCodec.Decode(s));
        Assert.Equal("file", e.Path);
        Assert.Contains("assets", e.Message);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_refused_not_overflowed()
    {
        var v = Value.ForString("leaf");
        for (var i = 0; i < 1000; i++) v = Value.ForList(v);
        var e = Assert.Throws<PropertyValueException>(() => StructCodec.Decode(v));
        Assert.Contains("nested more than", e.Message);
    }

    [Fact]
    public void Round_trip_keeps_every_kind()
    {
        var value = ObjectValue.From(new Dictionary<string, PropertyValue>
        {
            ["n"] = PropertyValue.Null,
            ["b"] = PropertyValue.True,
            ["x"] = PropertyValue.Of(1.5),
            ["s"] = PropertyValue.Of("s"),
            ["a"] = PropertyValue.Of([PropertyValue.Of(1), PropertyValue.Unknown]),
            ["o"] = ObjectValue.From(new Dictionary<string, PropertyValue> { ["secret"] = PropertyValue.Secret(PropertyValue.Of("p")) }),
        });
        Assert.Equal(value, StructCodec.Decode(StructCodec.Encode(value)));
    }
}
