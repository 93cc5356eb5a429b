namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// The server answered a request with an error STATUS: its code, its message (OpenSSH's sftp-server
/// only ever says the code's generic text, e.g. "Failure"), the request and the path it named.
/// </summary>
internal sealed class SftpException : IOException
{
    internal SftpException(SftpStatus status, string serverMessage, string request, string? path, string? targetPath = null, string? hint = null)
        : base(Describe(status, serverMessage, request, path, targetPath, hint))
    {
        Status = status;
        ServerMessage = serverMessage;
        Request = request;
        Path = path;
        TargetPath = targetPath;
    }

    public SftpStatus Status { get; }

    /// <summary>The STATUS reply's error message, as the server sent it (may be empty).</summary>
    public string ServerMessage { get; }

    /// <summary>The request refused, by its protocol name: "OPEN", "WRITE", "posix-rename@openssh.com", ...</summary>
    public string Request { get; }

    /// <summary>The path the request named, as the caller gave it (null for requests on a handle alone).</summary>
    public string? Path { get; }

    /// <summary>The second path of a rename.</summary>
    public string? TargetPath { get; }

    /// <summary>The draft's name for a status code, e.g. SSH_FX_NO_SUCH_FILE.</summary>
    public static string NameOf(SftpStatus status) => status switch
    {
        SftpStatus.Ok => "SSH_FX_OK",
        SftpStatus.EndOfFile => "SSH_FX_EOF",
        SftpStatus.NoSuchFile => "SSH_FX_NO_SUCH_FILE",
        SftpStatus.PermissionDenied => "SSH_FX_PERMISSION_DENIED",
        SftpStatus.Failure => "SSH_FX_FAILURE",
        SftpStatus.BadMessage => "SSH_FX_BAD_MESSAGE",
        SftpStatus.NoConnection => "SSH_FX_NO_CONNECTION",
        SftpStatus.ConnectionLost => "SSH_FX_CONNECTION_LOST",
        SftpStatus.OperationUnsupported => "SSH_FX_OP_UNSUPPORTED",
        _ => $"status {(uint)status}",
    };

    private static string Describe(SftpStatus status, string serverMessage, string request, string? path, string? targetPath, string? hint)
    {
        var subject = path is null ? request : targetPath is null ? $"{request} of '{path}'" : $"{request} of '{path}' to '{targetPath}'";
        var text = $"SFTP {subject} failed: {NameOf(status)}";
        if (serverMessage.Length > 0) text += $" (server: \"{serverMessage}\")";
        return hint is null ? text : $"{text}; {hint}";
    }
}
