package enum BusTUIPlaceholder {}
