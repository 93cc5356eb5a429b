// Compile-time reference of the real Pulumi .NET SDK (package "Pulumi" 3.x): public signatures
// only, no behaviour. See README.md. Never ship or run.
using System.Diagnostics.CodeAnalysis;

namespace Pulumi
{
    public sealed partial class Config
    {
        public Config(string? name = null) => throw null!;

        public string? Get(string key) => throw null!;
        public Output<string>? GetSecret(string key) => throw null!;
        public bool? GetBoolean(string key) => throw null!;
        public Output<bool>? GetSecretBoolean(string key) => throw null!;
        public int? GetInt32(string key) => throw null!;
        public Output<int>? GetSecretInt32(string key) => throw null!;
        public double? GetDouble(string key) => throw null!;
        public Output<double>? GetSecretDouble(string key) => throw null!;
        [return: MaybeNull]
        public T GetObject<T>(string key) => throw null!;
        public Output<T>? GetSecretObject<T>(string key) => throw null!;

        public string Require(string key) => throw null!;
        public Output<string> RequireSecret(string key) => throw null!;
        public bool RequireBoolean(string key) => throw null!;
        public Output<bool> RequireSecretBoolean(string key) => throw null!;
        public int RequireInt32(string key) => throw null!;
        public Output<int> RequireSecretInt32(string key) => throw null!;
        public double RequireDouble(string key) => throw null!;
        public Output<double> RequireSecretDouble(string key) => throw null!;
        public T RequireObject<T>(string key) => throw null!;
        public Output<T> RequireSecretObject<T>(string key) => throw null!;
    }
}
