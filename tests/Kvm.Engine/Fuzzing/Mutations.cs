using Google.Protobuf.WellKnownTypes;

namespace Kvm.Engine.Fuzzing;

/// <summary>
/// Seeded damage to a valid input: one value somewhere replaced by a wrong type, an edge number, a
/// string with control or XML-special characters, a very long one, null, a secret-wrapped junk value,
/// an unknown key, a key renamed to a junk one (maps such as otherConfig are objects too, so their
/// entries are among the places), or a required value taken away.
/// </summary>
public static class Mutations
{
    public static Struct Apply(Struct valid, Random random, string secretMarker)
    {
        var places = new List<(Struct Parent, string Key)>();
        Collect(valid, places);
        var (parent, key) = places[random.Next(places.Count)];
        switch (random.Next(5))
        {
            case 4:
                // A key renamed to one no map or object should take (maps such as otherConfig take any key the binder allows).
                var value = parent.Fields[key];
                parent.Fields.Remove(key);
                parent.Fields[JunkKey(random)] = value;
                break;
            case 0:
                parent.Fields.Remove(key); // a required value taken away, or an optional one dropped
                parent.Fields[Junk(random).StringValue is { Length: > 0 } s && s.Length < 20 ? "x" + s : "colour"] = Junk(random);
                break;
            case 1:
                parent.Fields[key] = Secret(random.Next(2) == 0 ? Value.ForString($"{secretMarker}-{random.Next(1000)}") : Junk(random), secretMarker, random);
                break;
            default:
                parent.Fields[key] = Junk(random);
                break;
        }
        return valid;
    }

    /// <summary>Ids no host holds: path tricks, control characters, empty.</summary>
    public static string JunkId(Random random) => (random.Next(6)) switch
    {
        0 => "",
        1 => "../../etc/passwd",
        2 => "no\u0001such",
        3 => new string('z', 300),
        4 => "br0/eth1/../x",
        _ => "fz-" + random.Next(100000),
    };

    /// <summary>Keys that are hard to hold, print or address with a property path: empty, control characters, quotes, path syntax, very long.</summary>
    private static string JunkKey(Random random) => random.Next(7) switch
    {
        0 => "",
        1 => "a\u0001b",
        2 => "say \"hi\"]",
        3 => "a.b[0]",
        4 => "back\\slash",
        5 => new string('k', 5000),
        _ => "stp-priority",
    };

    private static Value Secret(Value inner, string marker, Random random)
    {
        var s = new Struct();
        s.Fields[Props.SpecialKey] = Value.ForString(Props.SecretSig);
        // Sometimes the secret is a number: it must not show up as a number either.
        s.Fields["value"] = inner.KindCase == Value.KindOneofCase.StringValue || random.Next(2) == 0 ? inner : Value.ForString(marker);
        return Value.ForStruct(s);
    }

    private static Value Junk(Random random) => random.Next(14) switch
    {
        0 => Value.ForNull(),
        1 => Value.ForBool(random.Next(2) == 0),
        2 => Value.ForNumber(new[] { -1, 0, 4.5, 1e300, -1e300, 4095, 4096, 65536, 2147483648, 9.3e18 }[random.Next(10)]),
        3 => Value.ForString(""),
        4 => Value.ForString("\u0001\u001f"),
        5 => Value.ForString("a\u0000b"),
        6 => Value.ForString("<x>&'\"]]>"),
        7 => Value.ForString(new string('a', 5000)),
        8 => Value.ForString("10-5"),
        9 => Value.ForString("lo"),
        10 => Value.ForList(Value.ForNull(), Value.ForString("\n")),
        11 => Value.ForStruct(new Struct { Fields = { ["deep"] = Value.ForList(Value.ForStruct(new Struct())) } }),
        12 => Value.ForString("fz0"),
        _ => Value.ForList(),
    };

    private static void Collect(Struct s, List<(Struct, string)> places)
    {
        foreach (var (key, value) in s.Fields)
        {
            places.Add((s, key));
            if (value.KindCase == Value.KindOneofCase.StructValue) Collect(value.StructValue, places);
            if (value.KindCase == Value.KindOneofCase.ListValue)
            {
                foreach (var item in value.ListValue.Values.Where(v => v.KindCase == Value.KindOneofCase.StructValue))
                    Collect(item.StructValue, places);
            }
        }
    }
}
