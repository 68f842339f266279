using Pwr.Core;

namespace Pwr.Chain;

/// <summary>A validator: address, Falcon-512 public key and voting power.</summary>
public sealed record Validator(Address Address, byte[] PublicKey, ulong Power);
