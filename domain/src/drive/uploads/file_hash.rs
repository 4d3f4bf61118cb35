//! A file's BLAKE3, put together from its chunks' hashes. BLAKE3 hashes a tree of 1 KiB
//! chunks, and a block whose size is a power of two (the upload chunk size) starting at a
//! multiple of that size is one whole subtree of it: each app server hashes the chunk it
//! receives as that subtree (its chaining value, kept with the block), and the finish merges
//! them into exactly the hash one pass over the whole file gives. No server needs to have seen
//! the other chunks, and nothing is read back.

use blake3::hazmat::{
    left_subtree_len, merge_subtrees_non_root, merge_subtrees_root, ChainingValue, HasherExt, Mode,
};

/// The hasher for chunk `index` of an upload of `chunks` chunks of `chunk_size` bytes; `None`
/// when chunks of that size are not subtrees.
pub(super) fn chunk_hasher(index: u64, chunk_size: u64, chunks: u64) -> Option<blake3::Hasher> {
    if !fits(chunk_size) {
        return None;
    }
    let mut hasher = blake3::Hasher::new();
    if chunks > 1 {
        hasher.set_input_offset(index.checked_mul(chunk_size)?);
    }
    Some(hasher)
}

fn fits(chunk_size: u64) -> bool {
    chunk_size.is_power_of_two() && chunk_size >= 1024
}

/// What is kept of a chunk's hash: its chaining value, or for a file of one chunk the file's
/// hash itself (a tree of one subtree has no chaining value apart from its root).
pub(super) fn chunk_value(hasher: &blake3::Hasher, chunks: u64) -> ChainingValue {
    if chunks > 1 {
        hasher.finalize_non_root()
    } else {
        *hasher.finalize().as_bytes()
    }
}

/// The file's BLAKE3 (hex) from its chunks' values in order, for a file of `size` bytes in
/// chunks of `chunk_size` (a power of two of at least 1 KiB); `None` if they do not fit.
pub(super) fn file_hash(values: &[ChainingValue], chunk_size: u64, size: u64) -> Option<String> {
    if !fits(chunk_size) || u64::try_from(values.len()).ok()? != size.div_ceil(chunk_size).max(1) {
        return None;
    }
    let root = match values {
        [only] => blake3::Hash::from_bytes(*only),
        _ => {
            let (left, right, left_len) = split(values, chunk_size, size);
            merge_subtrees_root(
                &subtree(left, chunk_size, left_len),
                &subtree(right, chunk_size, size - left_len),
                Mode::Hash,
            )
        }
    };
    Some(root.to_hex().to_string())
}

/// A non-root subtree of `len` bytes over these chunks.
fn subtree(values: &[ChainingValue], chunk_size: u64, len: u64) -> ChainingValue {
    match values {
        [only] => *only,
        _ => {
            let (left, right, left_len) = split(values, chunk_size, len);
            merge_subtrees_non_root(
                &subtree(left, chunk_size, left_len),
                &subtree(right, chunk_size, len - left_len),
                Mode::Hash,
            )
        }
    }
}

/// BLAKE3's split of `len` bytes: the left subtree is the largest power of two of 1 KiB
/// chunks that leaves something on the right, which is a whole number of our (power-of-two)
/// chunks whenever there are two or more of them.
fn split(
    values: &[ChainingValue],
    chunk_size: u64,
    len: u64,
) -> (&[ChainingValue], &[ChainingValue], u64) {
    let left_len = left_subtree_len(len);
    let n = usize::try_from(left_len / chunk_size)
        .unwrap_or(usize::MAX)
        .min(values.len());
    (&values[..n], &values[n..], left_len)
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// Hashes `bytes` chunk by chunk, as separate servers would, and merges.
    fn merged(bytes: &[u8], chunk_size: u64) -> Option<String> {
        let size = bytes.len() as u64;
        let chunks = size.div_ceil(chunk_size).max(1);
        let values: Vec<ChainingValue> = bytes
            .chunks(chunk_size as usize)
            .enumerate()
            .map(|(i, chunk)| {
                let mut h = chunk_hasher(i as u64, chunk_size, chunks)?;
                h.update(chunk);
                Some(chunk_value(&h, chunks))
            })
            .collect::<Option<_>>()?;
        file_hash(&values, chunk_size, size)
    }

    #[test]
    fn merging_chunk_hashes_gives_the_whole_files_hash() {
        for chunk_size in [1024u64, 2048, 8192] {
            let c = chunk_size as usize;
            for len in [
                1,
                1023,
                c,
                c + 1,
                2 * c,
                3 * c - 1,
                3 * c,
                5 * c + 17,
                8 * c,
                9 * c + 1,
                13 * c,
            ] {
                let bytes = data(len);
                assert_eq!(
                    merged(&bytes, chunk_size),
                    Some(blake3::hash(&bytes).to_hex().to_string()),
                    "{len} bytes in chunks of {chunk_size}"
                );
            }
        }
    }

    #[test]
    fn chunks_that_do_not_fit_give_no_hash() {
        let bytes = data(5000);
        // Not a power of two: the chunks are not subtrees.
        assert!(chunk_hasher(1, 1500, 4).is_none());
        assert_eq!(file_hash(&[[0; 32]; 4], 1500, 5000), None);
        // A chunk missing.
        let mut h = chunk_hasher(0, 1024, 5).unwrap();
        h.update(&bytes[..1024]);
        assert_eq!(file_hash(&[chunk_value(&h, 5)], 1024, 5000), None);
    }
}
