// Compile-time reference of the real Pulumi .NET SDK (package "Pulumi" 3.x): public signatures
// only, no behaviour. See README.md. Never ship or run.
using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Pulumi
{
    public sealed partial class Deployment
    {
        private Deployment() => throw null!;

        public static Task<int> RunAsync(Action action) => throw null!;
        public static Task<int> RunAsync(Func<IDictionary<string, object?>> func) => throw null!;
        public static Task<int> RunAsync(Func<Task> func) => throw null!;
        public static Task<int> RunAsync(Func<Task<IDictionary<string, object?>>> func, StackOptions? options = null) => throw null!;
    }

    /// <summary>Declared for the signatures that mention it; its members are not mirrored (unused).</summary>
    public class StackOptions
    {
    }
}
