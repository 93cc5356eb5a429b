namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// The server broke the protocol (a malformed reply, a reply of the wrong type, a bad length, a
/// reply nobody asked for, a truncated packet) or its stream ended or failed. A malformed reply
/// fails its own request only; once the stream is broken, every request in flight fails with
/// this, and so does every later one.
/// </summary>
internal sealed class SftpProtocolException : IOException
{
    internal SftpProtocolException(string message, Exception? innerException = null) : base(message, innerException) { }
}
