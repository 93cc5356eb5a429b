using System.Text;

namespace Kvm.Ovsdb.Tests.Codec;

/// <summary>Messages back to back on the socket, however the bytes arrive.</summary>
public class JsonStreamSplitterTests
{
    private static List<string> Split(string stream, int chunk)
    {
        var bytes = Encoding.UTF8.GetBytes(stream);
        var splitter = new JsonStreamSplitter();
        var messages = new List<string>();
        var buffer = new List<byte>();
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            buffer.AddRange(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)).ToArray());
            int end;
            while ((end = splitter.FindEnd(buffer.ToArray())) > 0)
            {
                messages.Add(Encoding.UTF8.GetString(buffer.GetRange(0, end).ToArray()).Trim());
                buffer.RemoveRange(0, end);
            }
        }
        return messages;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Replies_back_to_back_split_at_their_own_ends(int chunk)
    {
        var stream = Transcripts.EchoReply + Transcripts.SelectGuestInterfaceReply.Trim() + "\n" + Transcripts.UnknownDatabaseReply.Trim();
        var messages = Split(stream, chunk);
        Assert.Equal([Transcripts.EchoReply, Transcripts.SelectGuestInterfaceReply.Trim(), Transcripts.UnknownDatabaseReply.Trim()], messages);
    }

    [Fact]
    public void Braces_and_escaped_quotes_inside_strings_do_not_end_a_message()
    {
        const string tricky = """{"id":1,"result":["}]\"{[","\\"],"error":null}""";
        Assert.Equal([tricky, tricky], Split(tricky + tricky, 3));
    }

    [Fact]
    public void Bytes_outside_an_object_are_refused()
    {
        Assert.Throws<FormatException>(() => new JsonStreamSplitter().FindEnd("x{}"u8));
    }
}
