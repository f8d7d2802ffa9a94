//! Fresh zeroed allocations are mapped lazily: the first write to each page traps into the
//! kernel. Left alone, those faults land in the first callbacks on the audio thread, which then
//! take several times a normal one. Every buffer is written once when it is built instead.

/// Writes every element of `buf` (with its default), so each page is mapped now.
pub fn touch<T: Copy + Default>(buf: &mut [T]) {
    // Through `black_box`: the compiler knows a zeroed allocation is already zero and would
    // drop a plain fill.
    std::hint::black_box(&mut *buf).fill(T::default());
}

/// [`touch`] on every row.
pub fn touch_rows<T: Copy + Default>(rows: &mut [Vec<T>]) {
    for row in rows {
        touch(row);
    }
}
