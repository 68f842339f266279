namespace Pwr.Vm.Evm.Rlp;

/// <summary>Why an RLP input was rejected; <see cref="Rlp.Describe"/> gives the message (geth's wording where geth has one).</summary>
public enum RlpError
{
    None = 0,
    /// <summary>Nothing left to read where a value was expected.</summary>
    EndOfInput,
    /// <summary>A header or payload runs past the end of the input.</summary>
    Truncated,
    /// <summary>An item's payload runs past the end of the list that contains it.</summary>
    ElementLargerThanList,
    /// <summary>A length that fits a shorter header form, or a long length with leading zero bytes.</summary>
    NonCanonicalSize,
    /// <summary>A single byte below 0x80 written as a one-byte string (0x81 xx) instead of as itself.</summary>
    SingleByteAsString,
    /// <summary>An integer with leading zero bytes (including zero written as 0x00 instead of 0x80).</summary>
    NonCanonicalInteger,
    /// <summary>An integer wider than the field allows.</summary>
    IntegerOverflow,
    /// <summary>A list where a string was expected.</summary>
    ExpectedString,
    /// <summary>A string where a list was expected.</summary>
    ExpectedList,
    /// <summary>A list ended before all its fields were read.</summary>
    TooFewElements,
    /// <summary>A list holds more items than its type has fields.</summary>
    TooManyElements,
    /// <summary>Bytes follow the single top-level value.</summary>
    TrailingBytes,
    /// <summary>A length that does not fit in 32 bits.</summary>
    LengthOverflow,
    /// <summary>A string of the wrong fixed size (an address that is not 20 bytes, a hash that is not 32).</summary>
    WrongSize,
}
