namespace Kvm.Ovsdb;

/// <summary>
/// Finds where one JSON-RPC message ends in a byte stream. OVSDB's JSON-RPC has no framing: messages
/// are JSON objects sent back to back (RFC 7047 section 4), so the end of one is where its outermost
/// brace closes, strings and their escapes skipped.
/// </summary>
internal sealed class JsonStreamSplitter
{
    private int _depth;
    private bool _inString;
    private bool _escaped;
    private int _scanned;

    /// <summary>
    /// Scans <paramref name="buffer"/> from where the last call stopped; returns the length of the first
    /// complete message, or -1 when more bytes are needed. Whitespace before a message is part of it.
    /// </summary>
    public int FindEnd(ReadOnlySpan<byte> buffer)
    {
        for (var i = _scanned; i < buffer.Length; i++)
        {
            var b = buffer[i];
            if (_inString)
            {
                if (_escaped) _escaped = false;
                else if (b == (byte)'\\') _escaped = true;
                else if (b == (byte)'"') _inString = false;
                continue;
            }
            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    _depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if (--_depth == 0)
                    {
                        Reset();
                        return i + 1;
                    }
                    if (_depth < 0) throw new FormatException("ovsdb-server sent a closing bracket with nothing open");
                    break;
                case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t':
                    break;
                default:
                    if (_depth == 0) throw new FormatException($"ovsdb-server sent '{(char)b}' outside a JSON object");
                    break;
            }
        }
        _scanned = buffer.Length;
        return -1;
    }

    private void Reset()
    {
        _depth = 0;
        _inString = false;
        _escaped = false;
        _scanned = 0;
    }
}
