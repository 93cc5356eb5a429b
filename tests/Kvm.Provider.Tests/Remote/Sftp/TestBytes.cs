namespace Kvm.Provider.Tests.Remote.Sftp;

internal static class TestBytes
{
    /// <summary>Reproducible random content.</summary>
    public static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
