//! The vector instruction sets the per-frame work is compiled for, picked at run time.
//!
//! The per-bin loops are written to vectorise, so compiling them again for wider vectors pays
//! directly. Every loop is element-wise and Rust never fuses a multiply-add on its own, so each
//! lane rounds exactly like the scalar code: every version computes the same audio, which
//! `tests/engine/isa.rs` checks on each version the CPU running it supports.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// What the build targets (SSE2 on x86-64).
    Baseline,
    /// 256-bit vectors.
    Avx2,
    /// 512-bit vectors.
    Avx512,
}

impl Isa {
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    /// The widest version this CPU runs.
    pub fn best() -> Self {
        Self::ALL.into_iter().rev().find(|isa| isa.supported()).unwrap_or(Isa::Baseline)
    }

    pub fn supported(self) -> bool {
        match self {
            Isa::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512vl")
                    && std::is_x86_feature_detected!("avx2")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}

impl Isa {
    /// Runs `f` compiled for this instruction set: `f` is inlined into a function built with
    /// the set's features, and with it everything it inlines. Mark the closure
    /// `#[inline(always)]`: a large one is otherwise compiled on its own, for the baseline.
    /// `self` must be [`Isa::supported`] on this CPU (the setters that store an `Isa` check it).
    #[inline(always)]
    pub fn run<R>(self, f: impl FnOnce() -> R) -> R {
        debug_assert!(self.supported());
        match self {
            // SAFETY: only versions `Isa::supported` found on this CPU are ever stored.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { run_avx512(f) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { run_avx2(f) },
            _ => f(),
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512vl")]
unsafe fn run_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}
