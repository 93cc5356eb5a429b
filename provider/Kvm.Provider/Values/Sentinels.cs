namespace Kvm.Provider.Values;

/// <summary>The magic strings of the Pulumi wire format (PROTOCOL.md).</summary>
internal static class Sentinels
{
    /// <summary>The untyped unknown: a value only known after apply.</summary>
    public const string Unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    public const string UnknownBool = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
    public const string UnknownNumber = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";
    public const string UnknownString = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    public const string UnknownArray = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
    public const string UnknownObject = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
    public const string UnknownAsset = "030794c1-ac77-496b-92df-f27374a8bd58";
    public const string UnknownArchive = "e48ece36-62e2-4504-bad9-02848725956a";

    /// <summary>The key that marks an object as a special value, and the kinds it can name.</summary>
    public const string SpecialKey = "4dabf18193072939515e22adb298388d";
    public const string SecretSig = "1b47061264138c4ac30d75fd1eb44270";
    public const string ResourceReferenceSig = "5cf8f73096256a8f31e491e813e4eb8e";
    public const string OutputValueSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
    public const string AssetSig = "c44067f5952c0a294b673a41bacd8c17";
    public const string ArchiveSig = "0def7320c3a5731c473e5ecbe11d8a67";

    public static bool IsUnknown(string s) => s is Unknown or UnknownBool or UnknownNumber or UnknownArray
        or UnknownObject or UnknownAsset or UnknownArchive;
}
