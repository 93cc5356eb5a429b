using System.Text;

namespace Kvm.Provider.Remote.Sftp;

/// <summary>Turns a caller's path into the bytes sent, refusing what the server would misread.</summary>
internal static class SftpPath
{
    /// <summary>
    /// Linux's PATH_MAX is 4 KiB. Two paths of this size still fit the 34000-byte packet every
    /// server must accept (draft section 3), and OpenSSH's sftp-server exits on a packet over
    /// 256 KiB, which would end the session for every caller.
    /// </summary>
    public const int MaxLength = 16 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(string path, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        // The server reads paths as C strings: it would act on the part before the NUL.
        if (path.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"SFTP path '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character", parameterName);
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(path);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"SFTP path '{path}' has a lone UTF-16 surrogate, which has no UTF-8 form", parameterName, e);
        }
        if (bytes.Length > MaxLength)
            throw new ArgumentException($"SFTP path of {bytes.Length} UTF-8 bytes is longer than the {MaxLength} this client sends", parameterName);
        return bytes;
    }
}
