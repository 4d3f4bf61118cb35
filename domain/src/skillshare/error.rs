use crate::error::{BoxError, ErrorKind, UserFacing};

#[derive(Debug, thiserror::Error)]
pub enum SkillShareError {
    #[error("{0}")]
    Invalid(String),
    /// Also the answer for another user's booking: as if it did not exist.
    #[error("No such {0}.")]
    NotFound(&'static str),
    #[error("That time was just booked by someone else. Please pick another slot.")]
    SlotTaken,
    #[error(
        "You hold {held} upcoming bookings, the most a student may hold at once ({max}). \
         Cancel one, or book again after one has taken place."
    )]
    TooManyBookings { held: i64, max: i64 },
    #[error("You already reviewed this session. Edit your review instead.")]
    AlreadyReviewed,
    #[error("You cannot book your own course.")]
    OwnCourse,
    #[error("Create your teacher profile first.")]
    NoTeacherProfile,
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] BoxError),
}

impl From<sqlx::Error> for SkillShareError {
    fn from(e: sqlx::Error) -> Self {
        SkillShareError::Internal(e.into())
    }
}

impl UserFacing for SkillShareError {
    fn kind(&self) -> ErrorKind {
        match self {
            SkillShareError::Invalid(_)
            | SkillShareError::OwnCourse
            | SkillShareError::NoTeacherProfile => ErrorKind::Invalid,
            SkillShareError::NotFound(_) => ErrorKind::NotFound,
            SkillShareError::SlotTaken
            | SkillShareError::TooManyBookings { .. }
            | SkillShareError::AlreadyReviewed => ErrorKind::Conflict,
            SkillShareError::Internal(_) => ErrorKind::Internal,
        }
    }
}
